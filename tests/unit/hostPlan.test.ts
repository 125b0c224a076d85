import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { localHostPorts } from "../../components/plan/hostPorts";
import { hostPaths } from "../../components/plan/hostPaths";
import { CommandStep, FileSetStep, fileText, HostStep } from "../../components/plan/step";
import { builtAppSource, HostInputs, planHost } from "../../components/plan/hostPlan";
import { stepDependencies } from "../../components/plan/stepGraph";
import { secretOutputs } from "../../components/hostSetup";
import { sampleAppInputs } from "../support/appInputs";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

const secrets = { adminPassword: "admin-pw-7c1e", password: "app-pw-93fa" };

function inputs(overrides: Partial<HostInputs<string>> = {}): HostInputs<string> {
    return {
        hosts: ["host-a", "host-b", "host-c"],
        firstHost: "host-a",
        previousHosts: [],
        app: sampleAppInputs,
        efsDns: "fs-0123.efs.eu-west-1.amazonaws.com",
        efsAccessPoint: "fsap-0123",
        db: {
            host: "db.internal", port: "3306", name: "app", user: "app",
            password: secrets.password, adminUser: "admin", adminPassword: secrets.adminPassword,
            tlsCaUrl: "https://truststore.example/us-west-2-bundle.pem",
        },
        appSource: builtAppSource("/repo/app", "ab".repeat(32)),
        sharedDataDir: "/shared/data",
        logging: { driver: "awslogs", region: "eu-west-1", group: "/ha-web/test/app" },
        listen: "80",
        trustedProxyCidr: "10.0.0.0/16",
        metrics: testMetrics, appNetwork: testAppNetwork,
        ...overrides,
    };
}

const hostA = localHostPorts("host-a", 0);
const hostB = localHostPorts("host-b", 1);
const hostC = localHostPorts("host-c", 2);

function plan(host = hostA, overrides: Partial<HostInputs<string>> = {}): HostStep<string>[] {
    const previous = { "host-a": [], "host-b": ["host-a"], "host-c": ["host-b"] }[host.name];
    return planHost(host, inputs({ previousHosts: previous, ...overrides }));
}

interface ComposeFile { services: { app: { logging: unknown; volumes: string[] } } }

function step(steps: HostStep<string>[], name: string): HostStep<string> {
    const found = steps.find((s) => s.name === name);
    if (!found) throw new Error(`no step ${name}`);
    return found;
}

function commandStep(steps: HostStep<string>[], name: string): CommandStep<string> {
    const found = step(steps, name);
    if (found.kind !== "command") throw new Error(`${name} is not a command step`);
    return found;
}

function fileSet(steps: HostStep<string>[], name: string): FileSetStep<string> {
    const found = step(steps, name);
    if (found.kind !== "files") throw new Error(`${name} is not a file set`);
    return found;
}

/** The script a command step runs: the file the step-scripts set places for it. */
function scriptOf(steps: HostStep<string>[], name: string): string {
    const file = fileSet(steps, "step-scripts").files.find((f) => f.path === `${hostPaths.stepsDir}/${name}.sh`);
    if (!file) throw new Error(`no script for ${name}`);
    return fileText(file);
}

/** A placed file of the host-config set. */
function fileOf(steps: HostStep<string>[], path: string): string {
    const file = fileSet(steps, "host-config").files.find((f) => f.path === path);
    if (!file) throw new Error(`no file ${path}`);
    return fileText(file);
}

/** What makes a step act again: a command's triggers, a file set's contents. */
const changeTokens = (steps: HostStep<string>[]) =>
    Object.fromEntries(steps.map((s) => [s.name, s.kind === "command"
        ? s.triggers.join(",")
        : JSON.stringify([s.files.map((f) => [f.path, f.mode, fileText(f)]), s.directories])]));

/** Names of the steps that act again between two plans of the same host. */
function retriggered(before: HostStep<string>[], after: HostStep<string>[]): string[] {
    const a = changeTokens(before);
    const b = changeTokens(after);
    return Object.keys(b).filter((name) => a[name] !== b[name]);
}

describe("planHost", () => {
    it("plans the first host: scripts, boot, packages, EFS, app image, config, database, migration, rollout, old password's discard", () => {
        expect(plan().map((s) => `${s.kind}:${s.name}`)).to.deep.equal([
            "files:step-scripts", "command:wait-for-boot", "command:bootstrap", "command:mount-shared",
            "files:app-sources", "command:build-image", "files:host-config", "command:apply-config",
            "command:create-app-db", "command:migrate", "command:rollout", "command:discard-old-db-password",
        ]);
    });

    it("migrates once per release, on the first host, in the new image, after every host has it and before any rollout", () => {
        expect(plan(hostB).map((s) => s.name)).to.not.include("migrate");
        const migrate = commandStep(plan(), "migrate");
        expect(migrate.waitsFor).to.include.members(["create-app-db", "host-a/build-image", "host-b/build-image", "host-c/build-image"]);
        expect(migrate.stdin?.values).to.deep.equal({ APP_IMAGE: builtAppSource("/repo/app", "ab".repeat(32)).image, MIGRATE_COMMAND: sampleAppInputs.migrateCommand });
        expect(step(plan(), "rollout").waitsFor).to.include.members(["host-a/migrate", "host-c/build-image"]);
        expect(step(plan(hostC), "rollout").waitsFor).to.include("host-a/migrate");
        const withoutMigration = plan(hostA, { app: { ...sampleAppInputs, migrateCommand: undefined } });
        expect(withoutMigration.map((s) => s.name)).to.not.include("migrate");
        expect(step(withoutMigration, "rollout").waitsFor).to.include("host-a/create-app-db");
    });

    it("puts the app's settings in the env file and each secret in a read-only file of its own (never the environment), and rolls out again when one changes", () => {
        const app = { ...sampleAppInputs, env: { GREETING: "hi" }, secrets: { API_KEY: "k-1" } };
        const config = plan(hostA, { app }).find((s): s is FileSetStep<string> => s.name === "host-config")!;
        const envFile = config.files.find((f) => f.path === hostPaths.envFile)!;
        expect(envFile.secret).to.equal(true);
        expect(fileText(envFile)).to.contain("GREETING=hi\n").and.contain("API_KEY_FILE=/run/secrets/API_KEY\n")
            .and.contain("DB_PASSWORD_FILE=/run/secrets/DB_PASSWORD\n").and.not.contain("k-1").and.not.contain(secrets.password);
        const secretFiles = config.files.filter((f) => f.path.startsWith(`${hostPaths.secretsDir}/`));
        expect(secretFiles.map((f) => ({ path: f.path, mode: f.mode, secret: f.secret, text: fileText(f) }))).to.deep.equal([
            { path: `${hostPaths.secretsDir}/DB_PASSWORD`, mode: "0444", secret: true, text: secrets.password },
            { path: `${hostPaths.secretsDir}/API_KEY`, mode: "0444", secret: true, text: "k-1" },
        ]);
        const compose = fileText(config.files.find((f) => f.path === hostPaths.composeFile)!);
        expect(compose).to.match(/^ {6}GREETING:$/m).and.match(/^ {6}API_KEY_FILE:$/m)
            .and.contain(`- "${hostPaths.secretsDir}/API_KEY:/run/secrets/API_KEY:ro"`);
        expect(compose).to.not.match(/^ {6}API_KEY:$/m).and.not.contain("k-1");
        const changed = plan(hostA, { app: { ...app, secrets: { API_KEY: "k-2" } } });
        expect(retriggered(plan(hostA, { app }), changed)).to.deep.equal(["host-config", "rollout"]);
        expect(retriggered(plan(hostA, { app }), plan(hostA, { app: { ...app, env: { GREETING: "hello" } } }))).to.deep.equal(["host-config", "rollout"]);
    });

    it("keeps the migrate and rollout steps' output secret in the state (what a migration or a failed release's logs print), and the other non-secret steps' output plain", () => {
        const steps = plan();
        for (const name of ["migrate", "rollout"]) expect(secretOutputs(commandStep(steps, name)), name).to.deep.equal(["stdout", "stderr"]);
        for (const name of ["bootstrap", "mount-shared", "apply-config", "build-image"]) expect(secretOutputs(commandStep(steps, name)), name).to.deep.equal([]);
        expect(secretOutputs(commandStep(steps, "create-app-db"))).to.deep.equal(["stdout", "stderr"]);
    });

    it("creates the database on the first host only", () => {
        expect(plan(hostB).map((s) => s.name)).to.not.include("create-app-db");
        expect(plan(hostC).map((s) => s.name)).to.not.include("create-app-db");
    });

    it("rolls every host out after the database exists, and host-b only after host-a's rollout", () => {
        expect(step(plan(hostA), "rollout").waitsFor).to.include("host-a/migrate");
        expect(commandStep(plan(hostA), "migrate").waitsFor).to.include("create-app-db");
        expect(step(plan(hostB), "rollout").waitsFor).to.include.members(["host-a/migrate", "host-a/rollout"]);
        expect(step(plan(hostC), "rollout").waitsFor).to.include("host-b/rollout");
        expect(step(plan(hostC), "rollout").waitsFor).to.not.include("host-a/rollout");
    });

    it("makes the first host the canary: its rollout runs ha-web-deploy --canary with the canary settings, the others plain", () => {
        const rolloutScript = (host: typeof hostA) => fileSet(plan(host), "step-scripts").files
            .find((f) => f.path === `${hostPaths.stepsDir}/rollout.sh`)!;
        expect(fileText(rolloutScript(hostA))).to.contain('readonly CANARY_SPEC="30:100:pass:1:1.5:20"');
        expect(fileText(rolloutScript(hostB))).to.contain('readonly CANARY_SPEC=""');
        const shorter = plan(hostA, { app: { ...sampleAppInputs, canary: { ...sampleAppInputs.canary, seconds: 8, tooFewRequests: "wait" } } });
        expect(retriggered(plan(hostA), shorter)).to.deep.equal(["step-scripts", "rollout"]);
    });

    it("forms one acyclic graph over all hosts, each step waiting only on steps planned before it", () => {
        const plans = [hostA, hostB, hostC].map((h) => ({ host: h.name, steps: plan(h) }));
        expect(() => stepDependencies(plans)).to.not.throw();
    });

    it("keeps what root runs git in and opens as a lock on the host's own disk: ha-web-deploy names nothing on the shared file system", () => {
        const deploy = fileOf(plan(), hostPaths.deployCommand);
        expect(deploy).to.contain(`readonly CONFIGS_DIR="${hostPaths.configsDir}"`);
        expect(hostPaths.configsDir.startsWith(`${hostPaths.sharedMount}/`)).to.equal(false);
        // Not even the mount point: findmnt lists what is mounted from EFS (it counts as config).
        expect(deploy).not.to.contain(hostPaths.sharedMount);
    });

    it("places the metadata guard unit with EC2's address unless told another (the local stand-in), and apply-config enables and runs it", () => {
        const guard = fileOf(plan(), hostPaths.metadataGuardUnit);
        expect(guard).to.contain("-d 169.254.169.254/32 -m owner ! --uid-owner 0 -j REJECT").and.contain("Before=docker.service");
        expect(fileOf(plan(hostA, { metadataAddress: "127.0.169.254" }), hostPaths.metadataGuardUnit)).to.contain("-d 127.0.169.254/32 -m owner");
        expect(scriptOf(plan(), "apply-config")).to.contain('systemctl restart "$(basename "$METADATA_GUARD_UNIT")" "$(basename "$APP_NETWORK_UNIT")"');
    });

    it("confines the app's uid to its database and DNS (ha-web-app-network, run at boot before Docker), and apply-config enables and runs it", () => {
        const steps = plan(hostA, { appNetwork: { databaseCidr: "10.9.0.0/16", databasePort: 3306 } });
        const script = fileOf(steps, hostPaths.appNetworkCommand);
        expect(script).to.contain('readonly APP_UID="1000"').and.contain('readonly DATABASE_CIDR="10.9.0.0/16"').and.contain('readonly DATABASE_PORT="3306"');
        expect(fileOf(steps, hostPaths.appNetworkUnit)).to.contain(`ExecStart=${hostPaths.appNetworkCommand}`).and.contain("Before=docker.service");
        expect(scriptOf(steps, "apply-config")).to.contain('"$(basename "$APP_NETWORK_UNIT")"');
    });

    it("runs every command as `sudo -n ha-web-step NAME`, the script placed as a file, never on the command line", () => {
        const steps = plan();
        for (const s of steps.filter((s): s is CommandStep<string> => s.kind === "command")) {
            expect(s.command).to.match(new RegExp(`^sudo -n ${hostPaths.stepRunner} ${s.name}( --quiet)?$`));
            expect(scriptOf(steps, s.name)).to.match(/^#!\/usr\/bin\/env bash\n/);
        }
        expect(fileSet(steps, "step-scripts").waitsFor).to.deep.equal([]);
        expect(step(steps, "wait-for-boot").waitsFor).to.deep.equal(["step-scripts"]);
    });

    it("uploads app/ as a directory of the app-sources set and builds it, with the content-hash tag on stdin", () => {
        const steps = plan();
        expect(fileSet(steps, "app-sources").directories).to.deep.equal([{ path: "/opt/ha-web/app", source: "/repo/app", hash: "ab".repeat(32) }]);
        expect(commandStep(steps, "build-image").stdin?.values).to.deep.equal({ APP_IMAGE: `ha-web-app:${"ab".repeat(8)}`, NPM_CA_BASE64: "" });
        expect(scriptOf(steps, "build-image")).to.contain("docker build");
    });

    it("pulls a configured image instead, with nothing uploaded", () => {
        const steps = plan(hostA, { appSource: { kind: "image", image: "registry.example/ha-web:1.2.3" } });
        expect(steps.map((s) => s.name)).to.not.include("app-sources");
        expect(scriptOf(steps, "build-image")).to.contain("docker pull");
        expect(commandStep(steps, "rollout").stdin?.values).to.deep.equal({ APP_IMAGE: "registry.example/ha-web:1.2.3", APP_IMAGE_ID: "" });
    });

    it("hands a release's recorded image id to the pull and to the rollout, which check it before the switch", () => {
        const release = { kind: "image" as const, image: `registry.example/ha-web@sha256:${"d".repeat(64)}`, imageId: `sha256:${"e".repeat(64)}` };
        const steps = plan(hostA, { appSource: release });
        for (const name of ["build-image", "rollout"]) {
            expect(commandStep(steps, name).stdin?.values, name).to.include({ APP_IMAGE: release.image, APP_IMAGE_ID: release.imageId });
            expect(scriptOf(steps, name), name).to.contain("require_release_image \"$APP_IMAGE\" \"$APP_IMAGE_ID\"");
        }
        // The rollout checks before it hands over to ha-web-deploy.
        const rollout = scriptOf(steps, "rollout");
        expect(rollout.indexOf("require_release_image \"$APP_IMAGE\"")).to.be.lessThan(rollout.indexOf("exec "));
    });

    it("keeps every secret and every deploy-time value out of scripts and non-secret files", () => {
        const deployTimeValues = [secrets.password, secrets.adminPassword, "fs-0123.efs.eu-west-1.amazonaws.com", "db.internal"];
        const steps = plan();
        for (const set of steps.filter((s): s is FileSetStep<string> => s.kind === "files")) {
            for (const file of set.files.filter((f) => !f.secret)) {
                for (const value of deployTimeValues) expect(fileText(file), file.path).to.not.contain(value);
            }
        }
    });

    it("keeps the app's env file secret and root-only, with the database settings and where its password's file is", () => {
        const env = fileSet(plan(), "host-config").files.find((f) => f.path === hostPaths.envFile)!;
        expect(env).to.include({ secret: true, mode: "0600" });
        expect(fileText(env)).to.equal("DB_HOST=db.internal\nDB_PORT=3306\nDB_NAME=app\nDB_USER=app\nDB_PASSWORD_FILE=/run/secrets/DB_PASSWORD\n");
    });

    it("marks the stdin of every command that carries a password as secret, and only those", () => {
        const commands = plan().filter((s): s is CommandStep<string> => s.kind === "command");
        expect(commands.filter((s) => s.stdin?.secret).map((s) => s.name)).to.deep.equal(["create-app-db", "discard-old-db-password"]);
        expect(commandStep(plan(), "create-app-db").command).to.match(/ --quiet$/);
        expect(commandStep(plan(), "discard-old-db-password").command).to.match(/ --quiet$/);
        for (const s of commands.filter((s) => !s.stdin?.secret)) {
            expect(Object.values(s.stdin?.values ?? {})).to.not.include.members([secrets.password, secrets.adminPassword]);
        }
    });

    it("gives the same triggers for the same inputs", () => {
        expect(changeTokens(plan())).to.deep.equal(changeTokens(plan()));
    });

    it("re-applies config for a changed nginx site, and rolls out too when the compose file changed", () => {
        expect(retriggered(plan(), plan(hostA, { listen: "127.0.0.1:8081" }))).to.deep.equal(["host-config", "apply-config"]);
        expect(retriggered(plan(), plan(hostA, { sharedDataDir: "/srv/data" }))).to.deep.equal(["host-config", "apply-config", "rollout"]);
    });

    it("re-applies config alone for an nginx-only setting (appMaxRequestBodyKb): no rollout, so no container is recreated, and nginx reloads in service, not drained", () => {
        const raised = plan(hostA, { app: { ...sampleAppInputs, maxRequestBodyKb: 256 } });
        expect(retriggered(plan(), raised)).to.deep.equal(["host-config", "apply-config"]);
        expect(fileOf(raised, hostPaths.nginxStagedSite)).to.contain("client_max_body_size 256k;");
        const script = scriptOf(raised, "apply-config");
        // A changed config goes to reload_changed_config, which drains only for a running site without the close flag.
        expect(script).to.match(/elif \[\[ "\$live" != "\$applied" \]\]; then\n\s*reload_changed_config "\$closes_on_flag"\n/);
        expect(script).to.match(/elif \[\[ "\$closes_on_flag" == yes \]\]; then\n\s*reload_nginx_in_service\n/);
        expect(script).to.contain(`readonly CLOSE_FLAG="${hostPaths.nginxCloseFlag}"`);
        expect(fileOf(raised, hostPaths.nginxStagedSite)).to.contain(`if (-f ${hostPaths.nginxCloseFlag}) {`);
    });

    it("ships the app's logs as the plan says: awslogs to the stack's group on AWS, json-file rotated locally", () => {
        const compose = (steps: HostStep<string>[]) => yaml.load(fileOf(steps, hostPaths.composeFile)) as ComposeFile;
        expect(compose(plan()).services.app.logging).to.deep.equal({
            driver: "awslogs",
            options: { "awslogs-region": "eu-west-1", "awslogs-group": "/ha-web/test/app", tag: "{{.Name}}", mode: "non-blocking", "max-buffer-size": "4m" },
        });
        const local = plan(hostA, { logging: hostLogRotation });
        expect(compose(local).services.app.logging).to.deep.equal({ driver: "json-file", options: { "max-size": "10m", "max-file": "5" } });
        // A new log destination reaches running containers only by a redeploy.
        expect(retriggered(plan(), local)).to.deep.equal(["host-config", "apply-config", "rollout"]);
    });

    it("gives the app containers the host's resolver on AWS, and the local stack's name server where the plan names one", () => {
        const compose = (steps: HostStep<string>[]) => yaml.load(fileOf(steps, hostPaths.composeFile)) as ComposeFile;
        const secretFile = "/etc/ha-web/secrets/DB_PASSWORD:/run/secrets/DB_PASSWORD:ro";
        expect(compose(plan()).services.app.volumes).to.deep.equal(["/shared/data:/shared-data", secretFile]);
        const local = plan(hostA, { resolvConf: "/srv/dns/resolv.conf" });
        expect(compose(local).services.app.volumes).to.deep.equal(["/shared/data:/shared-data", "/srv/dns/resolv.conf:/etc/resolv.conf:ro", secretFile]);
        expect(retriggered(plan(), local)).to.deep.equal(["host-config", "apply-config", "rollout"]);
    });

    it("refuses an awslogs destination without a region or group", () => {
        expect(() => plan(hostA, { logging: { driver: "awslogs", region: "", group: "/ha-web/test/app" } })).to.throw(/logging: awslogs needs a region/);
        expect(() => plan(hostA, { logging: { driver: "awslogs", region: "us-west-2", group: "a group" } })).to.throw(/logging: awslogs needs a region/);
    });

    it("re-runs mount-shared when the file system changes, then the rollout that moves the app onto it", () => {
        expect(retriggered(plan(), plan(hostA, { efsDns: "fs-9999.efs.eu-west-1.amazonaws.com" }))).to.deep.equal(["mount-shared", "rollout"]);
    });

    it("re-writes the env file and re-runs database set-up and rollout when the app password changes, then discards the old password", () => {
        const db = { ...inputs().db, password: "new-pw" };
        expect(retriggered(plan(), plan(hostA, { db }))).to.deep.equal(["host-config", "create-app-db", "rollout", "discard-old-db-password"]);
        expect(retriggered(plan(hostB), plan(hostB, { db }))).to.deep.equal(["host-config", "rollout"]);
    });

    it("chains every step that works on a serving host, host after host: bootstrap, mount-shared, build-image, apply-config, rollout", () => {
        for (const name of ["bootstrap", "mount-shared", "build-image", "apply-config", "rollout"]) {
            expect(step(plan(hostA), name).waitsFor.filter((w) => w.startsWith("host-")), name).to.not.include.members([`host-b/${name}`]);
            expect(step(plan(hostB), name).waitsFor, name).to.include(`host-a/${name}`);
            expect(step(plan(hostC), name).waitsFor, name).to.include(`host-b/${name}`);
        }
        const pulled = plan(hostB, { appSource: { kind: "image", image: "r.example/app@sha256:" + "a".repeat(64) } });
        expect(step(pulled, "build-image").waitsFor).to.include("host-a/build-image");
    });

    it("discards the old database password on the first host only, after every host's rollout", () => {
        expect(step(plan(hostA), "discard-old-db-password").waitsFor).to.deep.equal(["host-a/rollout", "host-b/rollout", "host-c/rollout"]);
        expect(plan(hostB).map((s) => s.name)).to.not.include("discard-old-db-password");
    });

    it("re-runs only upload, build, migration and rollout when app/ changes (a release never re-runs database set-up)", () => {
        const appSource = builtAppSource("/repo/app", "cd".repeat(32));
        expect(retriggered(plan(), plan(hostA, { appSource }))).to.deep.equal(["app-sources", "build-image", "migrate", "rollout"]);
    });

    it("hands the npm CA to build-image on stdin, never in its script (a bundle outgrows a command line)", () => {
        const npmCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const build = commandStep(plan(hostA, { npmCa }), "build-image");
        expect(Buffer.from(build.stdin?.values.NPM_CA_BASE64 ?? "", "base64").toString()).to.equal(npmCa);
        expect(scriptOf(plan(hostA, { npmCa }), "build-image")).to.equal(scriptOf(plan(), "build-image"));
    });

    it("applies config one host after another (batch 1), so a drained nginx reload never takes out two hosts", () => {
        expect(step(plan(hostA), "apply-config").waitsFor).to.deep.equal(["host-config", "mount-shared"]);
        expect(step(plan(hostB), "apply-config").waitsFor).to.deep.equal(["host-config", "mount-shared", "host-a/apply-config"]);
        expect(scriptOf(plan(hostA), "apply-config")).to.match(/"\$DRAIN_COMMAND" --for apply-config\n\s*nginx -s reload\n\s*put_back_in_service "\$started"\n/);
    });

    it("fetches the database's CA in apply-config (URL on stdin), before create-app-db connects (with the host's client, no app image), and re-runs it when the URL changes", () => {
        const url = "https://truststore.example/db-bundle.pem";
        const steps = plan(hostA, { db: { ...inputs().db, tlsCaUrl: url } });
        expect(commandStep(steps, "apply-config").stdin?.values).to.deep.equal({ DB_TLS_CA_URL: url });
        expect(step(steps, "create-app-db").waitsFor).to.deep.equal(["apply-config"]);
        expect(retriggered(plan(), steps)).to.deep.equal(["apply-config"]);
    });

    it("re-runs build-image when the npm CA changes", () => {
        expect(retriggered(plan(), plan(hostA, { npmCa: "-----BEGIN CERTIFICATE-----\nx\n" }))).to.deep.equal(["build-image"]);
    });

    it("lists every invalid input in one error", () => {
        const db = { ...inputs().db, tlsCaUrl: "ftp://x" };
        expect(() => planHost(hostB, inputs({ listen: " ", trustedProxyCidr: "anywhere", appNetwork: { databaseCidr: "vpc", databasePort: 3306 }, sharedDataDir: "data", db })))
            .to.throw(/previousHosts \(the batch before its own\) is required\n - listen must not be empty.*\n - trustedProxyCidr must be a CIDR block.*\n - appNetwork needs the database's IPv4 block.*"vpc".*\n - sharedDataDir must be an absolute path.*\n - db.tlsCaUrl must be an https:/);
        expect(() => planHost(hostA, inputs({ previousHosts: ["host-z"] }))).to.throw(/has no previous hosts/);
    });
});
