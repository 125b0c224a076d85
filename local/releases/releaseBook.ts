import * as fs from "fs";
import * as path from "path";
import { haWeb } from "../commandLine/haWeb";
import { stateDir } from "../stack/stackLayout";
import { Release } from "./releases";

/**
 * The release book, .local-stack/releases.json: the releases this stack built and the one it runs
 * (release.ts writes it as it builds and rolls out; status and the drills read it).
 */
export interface ReleaseBook {
    /** The label of the release rolled out last, on every host (what `up` re-applies). */
    current?: string;
    releases: Release[];
}

const bookFile = path.join(stateDir, "releases.json");

export function readBook(): ReleaseBook {
    return fs.existsSync(bookFile) ? JSON.parse(fs.readFileSync(bookFile, "utf8")) as ReleaseBook : { releases: [] };
}

export function writeBook(book: ReleaseBook): void {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(bookFile, JSON.stringify(book, null, 2) + "\n");
}

/** The release the stack runs now (rolled out last). */
export function currentRelease(): Release {
    const current = currentReleaseIfAny();
    if (!current) throw new Error(`no release is rolled out on the local stack: ${haWeb("up")}`);
    return current;
}

/** The current release, or undefined while none was rolled out (a first `up` that failed). */
export function currentReleaseIfAny(): Release | undefined {
    const book = readBook();
    return book.current === undefined ? undefined : findRelease(book, book.current);
}

/** The release recorded under `label`, as `releases` shows it, or undefined. */
export function releaseRecord(label: string): Release | undefined {
    return findRelease(readBook(), label);
}

function findRelease(book: ReleaseBook, label: string): Release | undefined {
    return book.releases.find((r) => r.label === label);
}
