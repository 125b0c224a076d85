import { expect } from "chai";
import { dependencies, isSecretInput, RecordedResource } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

const commandType = "command:remote:Command";
const hostFilesType = "pulumi-nodejs:dynamic/ha-web:HostFiles";
const waitsFor = (name: string) => dependencies.get(name) ?? [];
const stepOf = (run: ProgramRun, host: string, step: string): RecordedResource => {
    const found = run.ofType(commandType).find((c) => c.name === `setup-${host}-${step}`);
    if (!found) throw new Error(`no command setup-${host}-${step}`);
    return found;
};
const fileSetOf = (run: ProgramRun, host: string, set: string): RecordedResource => {
    const found = run.ofType(hostFilesType).find((c) => c.name === `setup-${host}-${set}`);
    if (!found) throw new Error(`no file set setup-${host}-${set}`);
    return found;
};
/** A connection input, whether the SDK sent it whole as a secret (it holds the key) or not. */
const plainConnection = (resource: RecordedResource) => {
    const connection = resource.inputs.connection as Record<string, unknown>;
    return (isSecretInput(connection) ? connection.value : connection) as Record<string, unknown>;
};
/** What makes the engine act again: any change of a command's inputs, or of a file set's entries. */
const triggersOf = (run: ProgramRun) => new Map([
    ...run.ofType(commandType).map((c) => [c.name, JSON.stringify([c.inputs.triggers, c.inputs.create, c.inputs.stdin, c.inputs.connection])] as const),
    ...run.ofType(hostFilesType).map((c) => [c.name, JSON.stringify([c.inputs.files, c.inputs.secretFiles, c.inputs.directories, c.inputs.connection])] as const),
]);
const changedSteps = (a: ProgramRun, b: ProgramRun) => {
    const before = triggersOf(a);
    return [...triggersOf(b)].filter(([name, t]) => before.get(name) !== t).map(([name]) => name).sort();
};

describe("host set-up in the Pulumi program (file sets and remote commands under mocks)", function () {
    this.timeout(60000);
    let run: ProgramRun;
    let dependenciesOfRun: Map<string, string[]>;
    before(async () => {
        run = await runProgram();
        dependenciesOfRun = new Map(dependencies);
    });

    it("runs each host's steps in plan order: files through HostFiles, commands as remote commands", () => {
        for (const host of ["host-a", "host-b"]) {
            for (const set of ["step-scripts", "app-sources", "host-config"]) fileSetOf(run, host, set);
            expect(waitsFor(`setup-${host}-wait-for-boot`)).to.include(`setup-${host}-step-scripts`);
            expect(waitsFor(`setup-${host}-bootstrap`)).to.include(`setup-${host}-wait-for-boot`);
            expect(waitsFor(`setup-${host}-mount-shared`)).to.include(`setup-${host}-bootstrap`);
            expect(waitsFor(`setup-${host}-app-sources`)).to.include(`setup-${host}-bootstrap`);
            expect(waitsFor(`setup-${host}-build-image`)).to.include(`setup-${host}-app-sources`);
            expect(waitsFor(`setup-${host}-apply-config`)).to.include.members([`setup-${host}-host-config`, `setup-${host}-mount-shared`]);
            expect(waitsFor(`setup-${host}-rollout`)).to.include.members([`setup-${host}-build-image`, `setup-${host}-apply-config`]);
        }
        expect(waitsFor("setup-host-b-apply-config")).to.include("setup-host-a-apply-config");
    });

    it("mounts EFS only once its mount targets exist", () => {
        expect(waitsFor("setup-host-a-mount-shared")).to.include.members(["shared-mount-0", "shared-mount-1"]);
    });

    it("creates the app database once, on the first host, after RDS, then migrates before any rollout", () => {
        const dbSteps = run.ofType(commandType).filter((c) => c.name.endsWith("create-app-db")).map((c) => c.name);
        expect(dbSteps).to.deep.equal(["setup-host-a-create-app-db"]);
        expect(waitsFor("setup-host-a-create-app-db")).to.include("db-mysql");
        expect(waitsFor("setup-host-a-migrate")).to.include.members(["setup-host-a-create-app-db", "setup-host-b-build-image"]);
        expect(waitsFor("setup-host-a-rollout")).to.include.members(["setup-host-a-migrate", "setup-host-b-build-image"]);
        expect(waitsFor("setup-host-b-rollout")).to.include("setup-host-a-migrate");
    });

    it("rolls out serially: host-b only after host-a's rollout succeeded, then the health gate", () => {
        expect(waitsFor("setup-host-b-rollout")).to.include("setup-host-a-rollout");
        expect(waitsFor("setup-host-a-rollout")).not.to.include("setup-host-b-rollout");
        const gate = run.resources.find((r) => r.name === "health-gate");
        expect(gate?.inputs.hosts).to.deep.equal(["host-a", "host-b"]);
        expect(waitsFor("health-gate")).to.include("setup-host-b-rollout");
    });

    it("runs short commands (the scripts are placed files), pinned to the host key, dialling a bounded number of times", () => {
        for (const cmd of run.ofType(commandType).filter((c) => c.name.startsWith("setup-"))) {
            expect(cmd.inputs.create, cmd.name).to.match(/^sudo -n \/usr\/local\/sbin\/ha-web-step [a-z-]+( --quiet)?$/);
            expect(cmd.inputs.addPreviousOutputInEnv, cmd.name).to.equal(false);
            expect(cmd.inputs.environment, cmd.name).to.equal(undefined);
            const connection = plainConnection(cmd);
            const keyIsSecret = isSecretInput(cmd.inputs.connection) || isSecretInput(connection.privateKey);
            expect(keyIsSecret, `${cmd.name} private key`).to.equal(true);
            expect(connection.dialErrorLimit, cmd.name).to.equal(10);
            expect(connection.hostKey, `${cmd.name} host key`).to.match(/^ssh-ed25519 /);
        }
    });

    it("places files over a pinned connection, as the machine's set (a replaced instance gets its own)", () => {
        const [instanceA] = run.ofType("aws:ec2/instance:Instance");
        const set = fileSetOf(run, "host-a", "host-config");
        expect(set.inputs.machine).to.equal(`${instanceA.name}-id`);
        expect(plainConnection(set).hostKey).to.match(/^ssh-ed25519 /);
        expect(set.inputs.__provider).to.be.a("string");
    });

    it("keeps the env file's content secret, and passes secrets on secret stdin without logging those steps", () => {
        const config = fileSetOf(run, "host-a", "host-config");
        expect(isSecretInput(config.inputs.secretFiles)).to.equal(true);
        expect(JSON.stringify(config.inputs.files)).to.not.contain("DB_PASSWORD=");
        const step = stepOf(run, "host-a", "create-app-db");
        expect(isSecretInput(step.inputs.stdin)).to.equal(true);
        expect(step.inputs.logging).to.equal("none");
        expect(isSecretInput(stepOf(run, "host-a", "mount-shared").inputs.stdin)).to.equal(false);
    });

    it("re-runs exactly the image pull and the rolling rollout when a new app image is configured", async () => {
        // The sample app, prebuilt: its migration tool is in the image.
        const sample = { appMigrateCommand: "node dist/tools/migrate.js" };
        const v1 = await runProgram({ appImage: "registry.example.com/app:1.0.0@sha256:1111111111111111111111111111111111111111111111111111111111111111", ...sample });
        const v2 = await runProgram({ appImage: "registry.example.com/app:1.0.1@sha256:2222222222222222222222222222222222222222222222222222222222222222", ...sample });
        expect(changedSteps(v1, v2)).to.deep.equal(["setup-host-a-build-image", "setup-host-a-migrate", "setup-host-a-rollout", "setup-host-b-build-image", "setup-host-b-rollout"]);
        const gate = (r: ProgramRun) => r.resources.find((x) => x.name === "health-gate")?.inputs.release;
        expect(gate(v2)).to.equal(`registry.example.com/app:1.0.1@sha256:${"2".repeat(64)}`);
        expect(gate(v1)).not.to.equal(gate(v2));
    });

    it("re-runs nothing when nothing changed", async () => {
        const again = await runProgram();
        expect(changedSteps(run, again)).to.deep.equal([]);
        expect(dependencies).to.deep.equal(dependenciesOfRun);
    });
});
