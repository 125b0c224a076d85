import { expect } from "chai";
import { defaultCanarySettings } from "../../components/plan/canarySettings";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readLocalHostSettings, readLocalSettings } from "../../local/releases/localSettings";
import { repoRoot } from "../../local/stack/stackLayout";

describe("local.settings.json (the local stack's app keys)", () => {
    let dir: string;
    const file = () => path.join(dir, "local.settings.json");
    const write = (text: string) => fs.writeFileSync(file(), text);
    const problems = (read: (file: string) => unknown = readLocalSettings) => {
        try {
            read(file());
        } catch (e) {
            return (e as Error).message;
        }
        return "";
    };
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-local-settings-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is the sample app with the defaults when the file does not exist", () => {
        expect(readLocalSettings(file())).to.deep.equal({
            app: {
                dir: path.join(repoRoot, "app"), healthPath: "/health", env: {}, secretNames: [], migrateCommand: "node dist/tools/migrate.js",
                canary: defaultCanarySettings(), limits: { memoryMb: 512, pids: 256 }, maxRequestBodyKb: 64,
            },
            secrets: {},
        });
    });

    it("takes the stack config's app keys, appDir relative to the repository, and hands over the secrets' values", () => {
        write(JSON.stringify({
            appDir: "examples/python-app", appMigrateCommand: "python3 migrate.py", appHealthPath: "/ready",
            appEnv: { GREETING: "hi", RETRIES: 3 }, appSecrets: { API_KEY: "sk-1" }, canarySeconds: 10, canaryTooFewRequests: "wait",
            appMaxRequestBodyKb: 256,
        }));
        expect(readLocalSettings(file())).to.deep.equal({
            app: {
                dir: path.join(repoRoot, "examples", "python-app"), healthPath: "/ready", env: { GREETING: "hi", RETRIES: "3" },
                secretNames: ["API_KEY"], migrateCommand: "python3 migrate.py", limits: { memoryMb: 512, pids: 256 }, maxRequestBodyKb: 256,
                canary: { ...defaultCanarySettings(), seconds: 10, tooFewRequests: "wait" },
            },
            secrets: { API_KEY: "sk-1" },
        });
    });

    it("runs two hosts one after the other unless hostCount (2 to 6) and rolloutBatchSize say otherwise", () => {
        expect(readLocalHostSettings(file())).to.deep.equal({ hostCount: 2, rolloutBatchSize: 1 });
        write(JSON.stringify({ hostCount: 4, rolloutBatchSize: 2 }));
        expect(readLocalHostSettings(file())).to.deep.equal({ hostCount: 4, rolloutBatchSize: 2 });
        expect(problems()).to.equal("");
    });

    it("refuses a hostCount outside 2 to 6 or a batch that takes every host, naming the value and the file", () => {
        const hostProblems = () => problems(readLocalHostSettings);
        for (const bad of [1, 7, "3", 2.5]) {
            write(JSON.stringify({ hostCount: bad }));
            expect(hostProblems()).to.contain(file()).and.contain(`hostCount must be a whole number from 2 to 6, got ${JSON.stringify(bad)}`);
            expect(problems()).to.contain(`hostCount must be a whole number from 2 to 6, got ${JSON.stringify(bad)}`);
        }
        write(JSON.stringify({ hostCount: 3, rolloutBatchSize: 3 }));
        expect(hostProblems()).to.contain("rolloutBatchSize must be a whole number from 1 to 2").and.contain("got 3");
    });

    it("takes appBuildCaFile relative to the repository, and names a file that is not there", () => {
        write(JSON.stringify({ appBuildCaFile: "app/Dockerfile" }));
        expect(readLocalSettings(file()).buildCaFile).to.equal(path.join(repoRoot, "app", "Dockerfile"));
        write(JSON.stringify({ appBuildCaFile: "nowhere/ca.pem" }));
        expect(problems()).to.contain(`appBuildCaFile: no file at ${path.join(repoRoot, "nowhere", "ca.pem")}`);
    });

    it("validates like pulumi up, names the file, and never quotes a secret or the text around a JSON error", () => {
        write(JSON.stringify({ appEnv: { PORT: "1" }, appSecrets: { TOKEN: "top-secret\nline" }, appDir: "nowhere", appImage: "x" }));
        const message = problems();
        expect(message).to.contain(file()).and.contain("appEnv: PORT is set by the platform")
            .and.contain("appSecrets.TOKEN must be one line").and.contain("unknown keys appImage")
            .and.contain(`appDir: no directory at ${path.join(repoRoot, "nowhere")}`)
            .and.not.contain("top-secret");
        write('{\n  "appSecrets": {"API_KEY": "sk-live-9f2e" oops}}');
        expect(problems()).to.contain("is not valid JSON at line 2, column 44").and.not.contain("sk-live-9f2e");
        write("[1]");
        expect(problems()).to.contain("must hold one JSON object");
    });
});
