import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DrillsResultFile, resultFiles } from "../../local/resultFiles";
import { repoRoot, resultsDir } from "../../local/stack/stackLayout";
import { committedResultFile, docsResultsDir, pages, partialRun, producedBy, readPage, readResults, resultNames } from "./docsFiles";
import { renderPage } from "./pages";
import { ResultName, RunStamp, timelineFiles } from "./render";

/**
 * `npm run docs:results`: copies the last runs' result files from .local-stack/results/ (gitignored)
 * into docs/results/, each stamped with when its run wrote it, this machine and the commit, with the
 * drills' SVG timelines; then re-renders every generated block of README.md and docs/*.md from them.
 * A result file whose run is the one already in docs/results/ is left alone, so its stamp stays true.
 */
function main(): void {
    const stamp = machineAndCommit();
    for (const name of resultNames) copyResult(name, stamp);
    const results = readResults();
    for (const page of pages()) {
        const before = readPage(page);
        const after = renderPage(page, before, results);
        if (after !== before) {
            fs.writeFileSync(path.join(repoRoot, page), after);
            console.log(`updated ${page}`);
        }
    }
}

function machineAndCommit(): Omit<RunStamp, "date"> {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
    return {
        machine: { cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 1e8) / 10, kernel: os.release() },
        commit: git("rev-parse", "--short", "HEAD"),
        dirty: git("status", "--porcelain") !== "",
    };
}

function copyResult(name: ResultName, stamp: Omit<RunStamp, "date">): void {
    const source = resultFiles[name];
    const target = committedResultFile(name);
    const shown = path.relative(repoRoot, target);
    if (!fs.existsSync(source)) {
        console.log(`${shown}: no ${path.relative(repoRoot, source)} (written by ${producedBy[name]}); keeping the one in docs/results/, if any`);
        return;
    }
    const date = fs.statSync(source).mtime.toISOString();
    const partial = partialRun(name, JSON.parse(fs.readFileSync(source, "utf8")));
    if (partial) {
        console.log(`${shown}: the run of ${date} ${partial}; keeping the one in docs/results/. Run \`npm run test:drills\` with no numbers, then this again`);
        return;
    }
    const committed = fs.existsSync(target) ? JSON.parse(fs.readFileSync(target, "utf8")) as { run?: RunStamp } : undefined;
    if (committed?.run?.date === date) {
        console.log(`${shown}: the run of ${date} is already there`);
        return;
    }
    // Paths the run printed (logs, timelines) name this clone; in the docs they are relative to the repository.
    const result = JSON.parse(fs.readFileSync(source, "utf8").replaceAll(`${repoRoot}/`, ""));
    fs.mkdirSync(docsResultsDir, { recursive: true });
    if (name === "drills") copyTimelines(result);
    fs.writeFileSync(target, JSON.stringify({ run: { date, ...stamp }, ...result }, null, 2) + "\n");
    console.log(`${shown}: the run of ${date}`);
}

/** The drills' SVGs go next to drills.json (and the result file names them there); older ones go. */
function copyTimelines(result: DrillsResultFile): void {
    const files = timelineFiles(result);
    for (const old of fs.readdirSync(docsResultsDir).filter((f) => f.endsWith(".svg") && !files.includes(f))) {
        fs.rmSync(path.join(docsResultsDir, old));
    }
    for (const file of files) fs.copyFileSync(path.join(resultsDir, file), path.join(docsResultsDir, file));
    for (const r of result.results) {
        if (r.timeline) r.timeline = path.posix.join("docs", "results", path.posix.basename(r.timeline));
    }
}

try {
    main();
} catch (error) {
    console.error((error as Error).message);
    process.exit(1);
}
