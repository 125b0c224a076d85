import * as fs from "fs";
import * as path from "path";
import { DrillsResultFile } from "../../local/resultFiles";
import { repoRoot } from "../../local/stack/stackLayout";
import { ResultName, Results } from "./render";

/** Where the docs and their committed result files live; the file I/O of `npm run docs:results` and of its test. */
const docsDir = path.join(repoRoot, "docs");
export const docsResultsDir = path.join(docsDir, "results");
export const resultNames: ResultName[] = ["drills", "bench", "suite"];

/** The command whose run writes each result file. */
export const producedBy: Record<ResultName, string> = { drills: "npm run test:drills", bench: "npm run bench", suite: "npm test" };

export function committedResultFile(name: ResultName): string {
    return path.join(docsResultsDir, `${name}.json`);
}

/** The pages that may hold generated blocks: the README and every page in docs/, as paths from the repository root. */
export function pages(): string[] {
    return ["README.md", ...fs.readdirSync(docsDir).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
}

export function readPage(page: string): string {
    return fs.readFileSync(path.join(repoRoot, page), "utf8");
}

export function readResults(): Results {
    const read = (name: ResultName) => {
        const file = committedResultFile(name);
        if (!fs.existsSync(file)) {
            throw new Error(`${path.relative(repoRoot, file)} is missing: run ${producedBy[name]}, then npm run docs:results`);
        }
        return JSON.parse(fs.readFileSync(file, "utf8"));
    };
    return { drills: read("drills"), bench: read("bench"), suite: read("suite") };
}

/** Why a result file shows less than a whole run (a few drills re-run by number), or undefined. */
export function partialRun(name: ResultName, result: Partial<DrillsResultFile>): string | undefined {
    if (name !== "drills") return undefined;
    if (result.only === undefined) return "does not say which drills it ran";
    return result.only.length > 0 ? `ran drills ${result.only.join(", ")} only` : undefined;
}
