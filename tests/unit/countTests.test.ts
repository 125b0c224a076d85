import { expect } from "chai";
import * as path from "path";
import { run } from "../../local/run";
import { repoRoot } from "../../local/stack/stackLayout";

const countTests = (output: string) => run("bash", [path.join(repoRoot, "tests", "count-tests.sh")], { input: output });

describe("run-all.sh's counts (tests/count-tests.sh)", function () {
    this.timeout(60_000);

    it("counts mocha's passing, failing and skipped (pending) tests from a real run", async () => {
        const mocha = await run(path.join(repoRoot, "node_modules", ".bin", "mocha"), [path.join(repoRoot, "tests", "support", "mochaOutcomes.fixture.ts")],
            { env: { TS_NODE_TRANSPILE_ONLY: "true" } });
        expect(mocha.code, mocha.stdout + mocha.stderr).to.equal(1);
        const counted = await countTests(mocha.stdout);
        expect(counted.stdout).to.equal("1 1 2\n");
    });

    it("reads the drills' closing line, which has no skipped tests", async () => {
        expect((await countTests("drill table ...\ndrills: 12 passed, 2 failed\n")).stdout).to.equal("12 2 0\n");
    });

    it("prints nothing for a stage without counts (it counts as one check)", async () => {
        expect((await countTests("tsc: no errors\n")).stdout).to.equal("");
    });
});
