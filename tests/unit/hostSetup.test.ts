import { expect } from "chai";
import { dependencies, generatedSecrets, isSecretInput, RecordedResource } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

const commandType = "command:remote:Command";
const waitsFor = (name: string) => dependencies.get(name) ?? [];
const stepOf = (run: ProgramRun, host: string, step: string): RecordedResource => {
    const found = run.ofType(commandType).find((c) => c.name === `setup-${host}-${step}`);
    if (!found) throw new Error(`no command setup-${host}-${step}`);
    return found;
};
/** What makes the engine re-run a command: any change of its script, inputs, connection or triggers. */
const triggersOf = (run: ProgramRun) => new Map(run.ofType(commandType).map((c) => [c.name,
    JSON.stringify([c.inputs.triggers, c.inputs.create, c.inputs.stdin, c.inputs.connection])]));
const changedSteps = (a: ProgramRun, b: ProgramRun) => {
    const before = triggersOf(a);
    return [...triggersOf(b)].filter(([name, t]) => before.get(name) !== t).map(([name]) => name).sort();
};

describe("host set-up in the Pulumi program (remote commands under mocks)", function () {
    this.timeout(60000);
    let run: ProgramRun;
    let dependenciesOfRun: Map<string, string[]>;
    before(async () => {
        run = await runProgram();
        dependenciesOfRun = new Map(dependencies);
    });

    it("runs each host's steps in plan order", () => {
        const chain = ["wait-for-boot", "bootstrap", "mount-shared", "upload-app", "build-image", "write-config", "rollout"];
        for (const host of ["host-a", "host-b"]) {
            expect(waitsFor(`setup-${host}-bootstrap`)).to.include(`setup-${host}-wait-for-boot`);
            expect(waitsFor(`setup-${host}-mount-shared`)).to.include(`setup-${host}-bootstrap`);
            expect(waitsFor(`setup-${host}-upload-app-clear`)).to.include(`setup-${host}-bootstrap`);
            expect(waitsFor(`setup-${host}-build-image`)).to.include(`setup-${host}-upload-app`);
            expect(waitsFor(`setup-${host}-write-config`)).to.include(`setup-${host}-mount-shared`);
            expect(waitsFor(`setup-${host}-rollout`)).to.include.members([`setup-${host}-build-image`, `setup-${host}-write-config`]);
            for (const step of chain.filter((s) => s !== "upload-app")) stepOf(run, host, step);
        }
    });

    it("mounts EFS only once its mount targets exist", () => {
        expect(waitsFor("setup-host-a-mount-shared")).to.include.members(["shared-mount-0", "shared-mount-1"]);
    });

    it("creates the app database once, on the first host, after RDS and before any rollout", () => {
        const dbSteps = run.ofType(commandType).filter((c) => c.name.endsWith("create-app-db")).map((c) => c.name);
        expect(dbSteps).to.deep.equal(["setup-host-a-create-app-db"]);
        expect(waitsFor("setup-host-a-create-app-db")).to.include("db-mysql");
        expect(waitsFor("setup-host-a-rollout")).to.include("setup-host-a-create-app-db");
        expect(waitsFor("setup-host-b-rollout")).to.include("setup-host-a-create-app-db");
    });

    it("rolls out serially: host-b only after host-a's rollout succeeded, then the health gate", () => {
        expect(waitsFor("setup-host-b-rollout")).to.include("setup-host-a-rollout");
        expect(waitsFor("setup-host-a-rollout")).not.to.include("setup-host-b-rollout");
        const gate = run.resources.find((r) => r.name === "health-gate");
        expect(gate?.inputs.hosts).to.deep.equal(["host-a", "host-b"]);
        expect(waitsFor("health-gate")).to.include("setup-host-b-rollout");
    });

    it("keeps dialling a booting host, and hands inputs over on stdin only", () => {
        for (const cmd of run.ofType(commandType)) {
            expect(cmd.inputs.addPreviousOutputInEnv, cmd.name).to.equal(false);
            expect(cmd.inputs.environment, cmd.name).to.equal(undefined);
            const connection = cmd.inputs.connection as Record<string, unknown>;
            const privateKey = isSecretInput(connection) ? undefined : connection.privateKey;
            expect(privateKey === undefined || isSecretInput(privateKey), `${cmd.name} private key`).to.equal(true);
        }
        const boot = stepOf(run, "host-a", "wait-for-boot");
        const connection = boot.inputs.connection as Record<string, unknown>;
        expect(isSecretInput(connection) ? (connection.value as Record<string, unknown>).dialErrorLimit : connection.dialErrorLimit).to.equal(-1);
    });

    it("passes secrets on secret stdin and logs nothing of the steps that handle them", () => {
        for (const name of ["write-config", "create-app-db"]) {
            const step = stepOf(run, "host-a", name);
            expect(isSecretInput(step.inputs.stdin), `${name} stdin`).to.equal(true);
            expect(step.inputs.logging, name).to.equal("none");
        }
        expect(isSecretInput(stepOf(run, "host-a", "mount-shared").inputs.stdin)).to.equal(false);
    });

    it("puts no secret in any command's text", () => {
        expect(generatedSecrets.size).to.be.greaterThan(0);
        for (const cmd of run.ofType(commandType)) {
            const text = cmd.inputs.create as string;
            const decoded = Buffer.from(/'([A-Za-z0-9+/=]+)'/.exec(text)?.[1] ?? "", "base64").toString();
            for (const secret of generatedSecrets) {
                expect(text, cmd.name).not.to.contain(secret.trim());
                expect(decoded, cmd.name).not.to.contain(secret.trim());
            }
        }
    });

    it("re-runs exactly the image pull and the rolling rollout when a new app image is configured", async () => {
        const v1 = await runProgram({ appImage: "registry.example.com/app:1.0.0" });
        const v2 = await runProgram({ appImage: "registry.example.com/app:1.0.1" });
        expect(changedSteps(v1, v2)).to.deep.equal(["setup-host-a-build-image", "setup-host-a-rollout", "setup-host-b-build-image", "setup-host-b-rollout"]);
        const gate = (r: ProgramRun) => r.resources.find((x) => x.name === "health-gate")?.inputs.release;
        expect(gate(v2)).to.equal("registry.example.com/app:1.0.1");
        expect(gate(v1)).not.to.equal(gate(v2));
    });

    it("re-runs nothing when nothing changed", async () => {
        const again = await runProgram();
        expect(changedSteps(run, again)).to.deep.equal([]);
        expect(dependencies).to.deep.equal(dependenciesOfRun);
    });
});
