import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../../local/stack/stackLayout";


/**
 * `npm run test:aws` on a machine without AWS credentials: a HOME without ~/.aws and no AWS_*
 * variables, so it can never reach an account from here (whether or not the pulumi CLI is installed).
 */
function runWithoutCredentials(extraEnv: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-no-aws-"));
    try {
        const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
        const result = spawnSync(path.join(repoRoot, "node_modules", ".bin", "ts-node"), [path.join(repoRoot, "tests", "aws", "run.ts")], {
            env: { ...env, HOME: home, TS_NODE_TRANSPILE_ONLY: "true", ...extraEnv }, encoding: "utf8",
        });
        return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

describe("test:aws where it cannot run (tests/aws/run.ts)", function () {
    this.timeout(120_000);

    it("says 'not run', names what is missing, and exits 3: nothing tested is not a pass", () => {
        const result = runWithoutCredentials();
        expect(result.stdout).to.match(/^test:aws: not run, nothing was tested: no (pulumi CLI|AWS credentials)/m);
        expect(result.code, result.stdout + result.stderr).to.equal(3);
    });

    it("exits 0 only when asked to with HA_WEB_TEST_AWS_OPTIONAL=true, still saying it did not run", () => {
        const result = runWithoutCredentials({ HA_WEB_TEST_AWS_OPTIONAL: "true" });
        expect(result.stdout).to.match(/^test:aws: not run, nothing was tested: .*\(HA_WEB_TEST_AWS_OPTIONAL=true: exit 0\)$/m);
        expect(result.code, result.stdout + result.stderr).to.equal(0);
    });
});
