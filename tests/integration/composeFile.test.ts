import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readAppSettings } from "../../components/plan/appSettings";
import { appSecretFile, ContainerLogging, dbTlsEnvName, hostLogRotation, renderComposeFile, renderDeployScript } from "../../components/plan/hostConfigFiles";
import { localHostPorts } from "../../components/plan/hostPorts";
import { hostPaths } from "../../components/plan/hostPaths";
import { renderStdin } from "../../components/plan/step";
import { baseImages, ensureBaseImages } from "../../local/stack/images";
import { run } from "../../local/run";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

/** Whether the config accepts NAME as an appEnv name (the deploy only ever sees accepted ones). */
function acceptedName(name: string): boolean {
    const problems: string[] = [];
    readAppSettings({ get: (key) => (key === "appEnv" ? JSON.stringify({ [name]: "x" }) : undefined), secretMapShape: () => undefined }, problems);
    return problems.length === 0;
}

/** The variable names ha-web-deploy itself uses (readonly, local, assigned): what an appEnv name must never reach. */
function scriptVariableNames(script: string): string[] {
    const names = new Set<string>();
    for (const match of script.matchAll(/(?:readonly|local)\s+([^\n;]+)/g)) {
        for (const word of match[1].split(/\s+/)) {
            const name = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(word)?.[1];
            if (name) names.add(name);
        }
    }
    for (const match of script.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)) names.add(match[1]);
    return [...names];
}

/** `env -0`'s output after ha-web-deploy's one log line, as a map. */
function envOf(stdout: string): Record<string, string> {
    const entries = stdout.slice(stdout.indexOf("\n") + 1).split("\0").filter((entry) => entry.includes("="));
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

/** Values docker-compose's env_file parsing (python-dotenv) would change: ${...} expanded, " #..." cut, quotes taken off. */
const appEnv = {
    DB_HOST: "127.0.0.1",
    GREETING: "hello #not a comment",
    API_KEY: "k'e\"y ${HOME} $PATH `id` \\n",
    QUOTED: "'single'",
};

describe("compose file and ha-web-deploy (Debian's docker-compose 1.29)", function () {
    this.timeout(300_000);
    let dir: string;
    let composeFile: string;
    let awsComposeFile: string;
    let deployScript: string;
    let paths: typeof hostPaths;
    let sharedDataDir: string;
    // A host name of its own: its one-off containers' project never meets the local stack's.
    const composeHost = localHostPorts(`compose-test-${process.pid}`, 0);
    const render = (logging: ContainerLogging, envNames = app.envNames) =>
        renderComposeFile(composeHost, { listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir, logging, metrics: testMetrics, appNetwork: testAppNetwork }, { ...app, envNames }, paths);
    const deployEnv = { APP_IMAGE: "ha-web-app:0123", APP_PORT: "3101", APP_CONFIG: "abc" };
    const app = { healthPath: "/health", envNames: Object.keys(appEnv), secretNames: [] as string[], limits: { memoryMb: 96, pids: 64 }, maxRequestBodyKb: 64 };

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-compose-"));
        paths = { ...hostPaths, envFile: path.join(dir, "app.env"), secretsDir: path.join(dir, "secrets"), dbTlsEnvFile: path.join(dir, "db-tls.env"), composeFile: path.join(dir, "docker-compose.yml") };
        fs.writeFileSync(paths.envFile, renderStdin(appEnv), { mode: 0o600 });
        fs.writeFileSync(paths.dbTlsEnvFile, `${dbTlsEnvName}=Q0E=\n`, { mode: 0o600 });
        composeFile = paths.composeFile;
        sharedDataDir = path.join(dir, "data");
        fs.writeFileSync(composeFile, render(hostLogRotation));
        awsComposeFile = path.join(dir, "docker-compose.aws.yml");
        fs.writeFileSync(awsComposeFile, render({ driver: "awslogs", region: "us-west-2", group: "/ha-web/dev/app" }));
        deployScript = path.join(dir, "ha-web-deploy");
        fs.writeFileSync(deployScript, renderDeployScript(composeHost, paths, app), { mode: 0o755 });
        await ensureBaseImages();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is accepted by docker-compose config with the variables ha-web-deploy sets", async () => {
        const result = await run("docker-compose", ["--project-name", "host-a-blue", "--file", composeFile, "config"], {
            env: deployEnv,
        });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("image: ha-web-app:0123")
            .and.contain("PORT: '3101'")
            .and.contain("network_mode: host")
            .and.contain("init: true")
            .and.contain("stop_grace_period: 20s")
            .and.contain(`${dir}/data:/shared-data`)
            // `disable: true`, as compose normalises it: no health check runs inside the image.
            .and.match(/healthcheck:\n\s+test:\n\s+- NONE/)
            .and.contain("driver: json-file")
            .and.contain("max-size: 10m");
    });

    it("is accepted with the awslogs driver as the AWS hosts get it (the Go template tag passes through)", async () => {
        const result = await run("docker-compose", ["--project-name", "host-a-blue", "--file", awsComposeFile, "config"], { env: deployEnv });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("driver: awslogs")
            .and.contain("awslogs-group: /ha-web/dev/app")
            .and.contain("awslogs-region: us-west-2")
            .and.contain("mode: non-blocking")
            .and.contain("tag: '{{.Name}}'");
    });

    it("ha-web-deploy --migrate runs the command in the image with the app's environment, byte for byte", async () => {
        const result = await run(deployScript, ["--migrate", baseImages.debian, "env -0"]);
        expect(result.code, result.stderr).to.equal(0);
        const env = envOf(result.stdout);
        expect(env).to.deep.include({ ...appEnv, [dbTlsEnvName]: "Q0E=", SHARED_DIR: "/shared-data" });
    });

    it("passes generated appEnv names (ha-web-deploy's own variable names among them) to the app as data: the run uses the image it was given, values arrive byte for byte", async function () {
        this.timeout(600_000);
        const own = scriptVariableNames(fs.readFileSync(deployScript, "utf8")).filter(acceptedName);
        // The names the review found writing through bash's dynamic scope.
        expect(own).to.include.members(["image", "project", "IMAGE", "CONFIG_HASH", "HOST_NAME"]);
        // Not empty: docker-compose 1.29 drops a passed-through variable whose value is empty (as it always has here).
        const value = fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 }).filter((v) => !/[\r\n\0]/.test(v));
        const settings = fc.dictionary(
            fc.oneof(fc.constantFrom(...own), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/)).filter(acceptedName),
            value, { minKeys: 1, maxKeys: 12 },
        );
        try {
            await fc.assert(fc.asyncProperty(settings, async (generated) => {
                fs.writeFileSync(paths.envFile, renderStdin(generated), { mode: 0o600 });
                fs.writeFileSync(composeFile, render(hostLogRotation, Object.keys(generated)));
                const result = await run(deployScript, ["--migrate", baseImages.debian, "env -0"]);
                expect(result.code, result.stderr).to.equal(0);
                const env = envOf(result.stdout);
                expect(env).to.deep.include(generated);
            }), { numRuns: 6 });
        } finally {
            fs.writeFileSync(paths.envFile, renderStdin(appEnv), { mode: 0o600 });
            fs.writeFileSync(composeFile, render(hostLogRotation));
        }
    });

    it("confines the app: user 1000, no capabilities, no privilege gain, read-only root, writable /tmp and /shared-data, its memory and pids limits", async () => {
        fs.mkdirSync(sharedDataDir, { recursive: true });
        fs.chownSync(sharedDataDir, 1000, 1000);
        const probe = [
            "id -u", "grep -E '^(CapEff|CapPrm|NoNewPrivs):' /proc/self/status",
            // cgroup v2, else v1 (this machine's Docker).
            "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
            "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max",
            "touch /root-fs-probe 2>/dev/null && echo root-writable || echo root-read-only",
            "touch /tmp/probe /shared-data/probe && echo writable-paths-ok",
        ].join("; ");
        const result = await run(deployScript, ["--migrate", baseImages.debian, probe]);
        expect(result.code, result.stderr).to.equal(0);
        const lines = result.stdout.split("\n").slice(1).map((line) => line.replace(/\s+/g, " ").trim());
        expect(lines).to.include.members([
            "1000", "CapPrm: 0000000000000000", "CapEff: 0000000000000000", "NoNewPrivs: 1",
            String(96 * 1024 * 1024), "64", "root-read-only", "writable-paths-ok",
        ]);
    });

    it("hands each secret over as a read-only file from a root-only folder: the app reads it through <NAME>_FILE, its environment never holds it", async () => {
        const token = "s3cret ${HOME} 'q' #x";
        fs.mkdirSync(paths.secretsDir, { mode: 0o700, recursive: true });
        fs.writeFileSync(path.join(paths.secretsDir, "API_TOKEN"), token, { mode: 0o444 });
        fs.writeFileSync(paths.envFile, renderStdin({ ...appEnv, API_TOKEN_FILE: appSecretFile("API_TOKEN") }), { mode: 0o600 });
        fs.writeFileSync(composeFile, renderComposeFile(composeHost, { listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir, logging: hostLogRotation, metrics: testMetrics, appNetwork: testAppNetwork },
            { ...app, envNames: [...app.envNames, "API_TOKEN_FILE"], secretNames: ["API_TOKEN"] }, paths));
        try {
            const result = await run(deployScript, ["--migrate", baseImages.debian,
                "cat \"$API_TOKEN_FILE\"; echo; (echo x >>\"$API_TOKEN_FILE\") 2>/dev/null && echo secret-writable || echo secret-read-only; env -0"]);
            expect(result.code, result.stderr).to.equal(0);
            const [, read, writable] = result.stdout.split("\n");
            expect(read).to.equal(token);
            expect(writable).to.equal("secret-read-only");
            expect(result.stdout.slice(result.stdout.lastIndexOf("secret-read-only\n"))).to.not.contain(token);
        } finally {
            fs.writeFileSync(paths.envFile, renderStdin(appEnv), { mode: 0o600 });
            fs.writeFileSync(composeFile, render(hostLogRotation));
        }
    });

    it("ha-web-deploy --migrate fails with the command's exit status and output, and leaves no container", async () => {
        const result = await run(deployScript, ["--migrate", baseImages.debian, "echo applying 002_broken.sql; exit 3"]);
        expect(result.code).to.equal(3);
        expect(result.stdout + result.stderr).to.contain("applying 002_broken.sql");
        const left = await run("docker", ["ps", "--all", "--quiet", "--filter", `label=com.docker.compose.project=compose-test-${process.pid}-migrate`]);
        expect(left.stdout.trim()).to.equal("");
    });
});
