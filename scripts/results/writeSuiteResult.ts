import * as fs from "fs";
import * as path from "path";
import { resultFiles, SuiteResultFile, SuiteStage } from "../../local/resultFiles";

/**
 * Called by tests/run-all.sh (`npm test`) at its end: turns the stages it recorded (one line each:
 * name, passed, failed, skipped, seconds, tab-separated) and the suite's seconds into .local-stack/results/suite.json.
 */
function main([stagesFile, seconds]: string[]): void {
    if (!stagesFile || !/^\d+$/.test(seconds ?? "")) {
        throw new Error(`usage: writeSuiteResult.ts <stages file> <seconds> (got ${JSON.stringify([stagesFile, seconds])})`);
    }
    const stages = fs.readFileSync(stagesFile, "utf8").split("\n").filter((line) => line !== "").map(parseStage);
    const file: SuiteResultFile = {
        stages,
        passed: stages.reduce((sum, s) => sum + s.passed, 0),
        failed: stages.reduce((sum, s) => sum + s.failed, 0),
        skipped: stages.reduce((sum, s) => sum + s.skipped, 0),
        seconds: Number(seconds),
    };
    fs.mkdirSync(path.dirname(resultFiles.suite), { recursive: true });
    fs.writeFileSync(resultFiles.suite, JSON.stringify(file, null, 2) + "\n");
    console.log(`results in ${resultFiles.suite}`);
}

function parseStage(line: string): SuiteStage {
    const [name, passed, failed, skipped, seconds] = line.split("\t");
    if ([passed, failed, skipped, seconds].some((n) => !/^\d+$/.test(n ?? ""))) {
        throw new Error(`a stage line of tests/run-all.sh is not "name<TAB>passed<TAB>failed<TAB>skipped<TAB>seconds": ${JSON.stringify(line)}`);
    }
    return { name, passed: Number(passed), failed: Number(failed), skipped: Number(skipped), seconds: Number(seconds) };
}

main(process.argv.slice(2));
