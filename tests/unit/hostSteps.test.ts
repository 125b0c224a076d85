import { expect } from "chai";
import { localHostLayout } from "../../components/plan/hostLayout";
import { HostStep, RunStep } from "../../components/plan/hostStep";
import { builtAppSource, HostInputs, hostSteps } from "../../components/plan/hostSteps";
import { stepDependencies } from "../../components/plan/remoteInvocation";

const secrets = { adminPassword: "admin-pw-7c1e", password: "app-pw-93fa" };

function inputs(overrides: Partial<HostInputs<string>> = {}): HostInputs<string> {
    return {
        firstHost: "host-a",
        efsDns: "fs-0123.efs.eu-west-1.amazonaws.com",
        db: {
            host: "db.internal", port: "3306", name: "app", user: "app",
            password: secrets.password, adminUser: "admin", adminPassword: secrets.adminPassword,
        },
        appSource: builtAppSource("/repo/app", "ab".repeat(32)),
        sharedDataDir: "/shared/data",
        listen: "80",
        trustedProxyCidr: "10.0.0.0/16",
        ...overrides,
    };
}

const hostA = localHostLayout("host-a", 0);
const hostB = localHostLayout("host-b", 1);
const hostC = localHostLayout("host-c", 2);

function plan(host = hostA, overrides: Partial<HostInputs<string>> = {}): HostStep<string>[] {
    const previous = { "host-a": undefined, "host-b": "host-a", "host-c": "host-b" }[host.name];
    return hostSteps(host, inputs({ previousHost: previous, ...overrides }));
}

function step(steps: HostStep<string>[], name: string): HostStep<string> {
    const found = steps.find((s) => s.name === name);
    if (!found) throw new Error(`no step ${name}`);
    return found;
}

function runStep(steps: HostStep<string>[], name: string): RunStep<string> {
    const found = step(steps, name);
    if (found.kind !== "run") throw new Error(`${name} is not a run step`);
    return found;
}

const triggersByStep = (steps: HostStep<string>[]) =>
    Object.fromEntries(steps.map((s) => [s.name, s.triggers.join(",")]));

/** Names of the steps whose triggers differ between two plans of the same host. */
function retriggered(before: HostStep<string>[], after: HostStep<string>[]): string[] {
    const a = triggersByStep(before);
    const b = triggersByStep(after);
    return Object.keys(b).filter((name) => a[name] !== b[name]);
}

describe("hostSteps", () => {
    it("plans the first host: boot, packages, EFS, app image, config, database, rollout", () => {
        expect(plan().map((s) => s.name)).to.deep.equal([
            "wait-for-boot", "bootstrap", "mount-shared", "upload-app", "build-image",
            "write-config", "create-app-db", "rollout",
        ]);
    });

    it("creates the database on the first host only", () => {
        expect(plan(hostB).map((s) => s.name)).to.not.include("create-app-db");
        expect(plan(hostC).map((s) => s.name)).to.not.include("create-app-db");
    });

    it("rolls every host out after the database exists, and host-b only after host-a's rollout", () => {
        expect(step(plan(hostA), "rollout").waitsFor).to.include("host-a/create-app-db");
        expect(step(plan(hostB), "rollout").waitsFor).to.include.members(["host-a/create-app-db", "host-a/rollout"]);
        expect(step(plan(hostC), "rollout").waitsFor).to.include("host-b/rollout");
        expect(step(plan(hostC), "rollout").waitsFor).to.not.include("host-a/rollout");
    });

    it("forms one acyclic graph over all hosts, each step waiting only on steps planned before it", () => {
        const plans = [hostA, hostB, hostC].map((h) => ({ host: h.name, steps: plan(h) }));
        expect(() => stepDependencies(plans)).to.not.throw();
    });

    it("uploads and builds app/ by default, with the content-hash tag on stdin", () => {
        const steps = plan();
        expect(step(steps, "upload-app")).to.include({ kind: "copy", localPath: "/repo/app", remotePath: "/opt/ha-web/app" });
        expect(runStep(steps, "build-image").stdin?.values).to.deep.equal({ APP_IMAGE: `ha-web-app:${"ab".repeat(8)}`, NPM_CA_BASE64: "" });
        expect(runStep(steps, "build-image").script).to.contain("docker build");
    });

    it("pulls a configured image instead, with nothing uploaded", () => {
        const steps = plan(hostA, { appSource: { kind: "image", image: "registry.example/ha-web:1.2.3" } });
        expect(steps.map((s) => s.name)).to.not.include("upload-app");
        expect(runStep(steps, "build-image").script).to.contain("docker pull");
        expect(runStep(steps, "rollout").stdin?.values).to.deep.equal({ APP_IMAGE: "registry.example/ha-web:1.2.3" });
    });

    it("keeps every secret and every deploy-time value out of the script text", () => {
        const deployTimeValues = [secrets.password, secrets.adminPassword, "fs-0123.efs.eu-west-1.amazonaws.com", "db.internal"];
        for (const s of plan().filter((s): s is RunStep<string> => s.kind === "run")) {
            for (const value of deployTimeValues) {
                expect(s.script, `${s.name} script`).to.not.contain(value);
            }
        }
    });

    it("marks the stdin of every step that carries a password as secret, and only those", () => {
        const secretSteps = plan().filter((s) => s.kind === "run" && s.stdin?.secret).map((s) => s.name);
        expect(secretSteps).to.deep.equal(["write-config", "create-app-db"]);
        for (const s of plan().filter((s): s is RunStep<string> => s.kind === "run" && !s.stdin?.secret)) {
            expect(Object.values(s.stdin?.values ?? {})).to.not.include.members([secrets.password, secrets.adminPassword]);
        }
    });

    it("gives the same triggers for the same inputs", () => {
        expect(triggersByStep(plan())).to.deep.equal(triggersByStep(plan()));
    });

    it("re-runs only the config and the rollout when a config file's input changes", () => {
        expect(retriggered(plan(), plan(hostA, { listen: "127.0.0.1:8081" }))).to.deep.equal(["write-config", "rollout"]);
        expect(retriggered(plan(), plan(hostA, { sharedDataDir: "/srv/data" }))).to.deep.equal(["write-config", "rollout"]);
    });

    it("re-runs only mount-shared when the file system changes", () => {
        expect(retriggered(plan(), plan(hostA, { efsDns: "fs-9999.efs.eu-west-1.amazonaws.com" }))).to.deep.equal(["mount-shared"]);
    });

    it("re-runs config, database and rollout when the app password changes", () => {
        const db = { ...inputs().db, password: "new-pw" };
        expect(retriggered(plan(), plan(hostA, { db }))).to.deep.equal(["write-config", "create-app-db", "rollout"]);
    });

    it("re-runs only upload, build and rollout when app/ changes (a release never re-runs database set-up)", () => {
        const appSource = builtAppSource("/repo/app", "cd".repeat(32));
        expect(retriggered(plan(), plan(hostA, { appSource }))).to.deep.equal(["upload-app", "build-image", "rollout"]);
    });

    it("hands the npm CA to build-image on stdin, never in its script (a bundle outgrows a command line)", () => {
        const npmCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const build = runStep(plan(hostA, { npmCa }), "build-image");
        expect(Buffer.from(build.stdin?.values.NPM_CA_BASE64 ?? "", "base64").toString()).to.equal(npmCa);
        expect(build.script).to.equal(runStep(plan(), "build-image").script);
    });

    it("writes config one host after another, so a drained nginx reload never takes out two hosts", () => {
        expect(step(plan(hostA), "write-config").waitsFor).to.deep.equal(["mount-shared"]);
        expect(step(plan(hostB), "write-config").waitsFor).to.deep.equal(["mount-shared", "host-a/write-config"]);
        expect(runStep(plan(hostA), "write-config").script).to.match(/"\$DRAIN_COMMAND"\n\s*nginx -s reload\n\s*"\$UNDRAIN_COMMAND"/);
    });

    it("fetches the database's CA in write-config, before create-app-db connects, and re-runs both when its URL changes", () => {
        const url = "https://truststore.example/db-bundle.pem";
        const steps = plan(hostA, { db: { ...inputs().db, tlsCaUrl: url } });
        expect(runStep(steps, "write-config").script).to.contain(url);
        expect(runStep(plan(), "write-config").script).not.to.contain(url);
        expect(step(steps, "create-app-db").waitsFor).to.include("write-config");
        expect(retriggered(plan(), steps)).to.deep.equal(["write-config", "rollout"]);
    });

    it("re-runs build-image when the npm CA changes", () => {
        expect(retriggered(plan(), plan(hostA, { npmCa: "-----BEGIN CERTIFICATE-----\nx\n" }))).to.deep.equal(["build-image"]);
    });

    it("lists every invalid input in one error", () => {
        expect(() => hostSteps(hostB, inputs({ listen: " ", trustedProxyCidr: "anywhere", sharedDataDir: "data" })))
            .to.throw(/previousHost is required\n - listen must not be empty.*\n - trustedProxyCidr must be a CIDR block.*\n - sharedDataDir must be an absolute path/);
        expect(() => hostSteps(hostA, inputs({ previousHost: "host-z" }))).to.throw(/has no previous host/);
    });
});
