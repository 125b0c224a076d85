import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Folders that are build output or installed packages, not sources: they never change a hash. */
// An array, not a Set: the HostFiles provider calls sourceFiles, and Pulumi's closure serializer
// cannot carry a Set into the dynamic provider host.
const ignoredDirectories = ["node_modules", "dist", ".git"];

/** sha256 (hex) of a text: the change token of a rendered script. */
export function contentHash(text: string | Buffer): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * sha256 (hex) over the app's source files (`sourceFiles`: relative path and content, in sorted
 * order): the same sources give the same hash on any machine.
 */
export function directoryHash(dir: string): string {
    const hash = createHash("sha256");
    for (const file of sourceFiles(dir)) {
        hash.update(`${file}\0`);
        hash.update(fs.readFileSync(path.join(dir, file)));
        hash.update("\0");
    }
    return hash.digest("hex");
}

/**
 * Copies the files `directoryHash` covers into a fresh `dest`: what an upload sends, so a host
 * builds from exactly the sources the trigger hashed (no local node_modules or build output).
 */
export function copySources(dir: string, dest: string): void {
    fs.rmSync(dest, { recursive: true, force: true });
    for (const file of sourceFiles(dir)) {
        fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
        fs.copyFileSync(path.join(dir, file), path.join(dest, file));
    }
}

/**
 * Relative paths (with "/") of the app's sources under `dir`, sorted: what a host builds the app from
 * and what its hash covers. In a git checkout, the files git tracks there (as they are on disk), so
 * a stray untracked file in one operator's checkout cannot make two checkouts release each other's
 * content back and forth; a directory git tracks nothing of (not a checkout, or an ignored copy such
 * as the local drills' app variants) is walked whole. node_modules, dist and .git never count.
 */
export function sourceFiles(dir: string): string[] {
    return trackedFiles(dir) ?? walkedFiles(dir);
}

/** The files git tracks under `dir` that exist, or undefined where git tracks none (or there is no git, or no checkout). */
function trackedFiles(dir: string): string[] | undefined {
    let listed: string;
    try {
        listed = execFileSync("git", ["-C", dir, "ls-files", "-z", "--cached"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        // ENOENT: no git on this machine; status 128: not a git work tree. Anything else is a real failure.
        const { code, status } = error as { code?: string; status?: number };
        if (code === "ENOENT" || status === 128) return undefined;
        throw error;
    }
    const files = listed.split("\0").filter((file) => file !== ""
        && !file.split("/").some((part) => ignoredDirectories.includes(part))
        && fs.statSync(path.join(dir, file), { throwIfNoEntry: false })?.isFile());
    return files.length > 0 ? files.sort() : undefined;
}

function walkedFiles(dir: string, prefix = ""): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory() && !ignoredDirectories.includes(entry.name)) {
            files.push(...walkedFiles(dir, relative));
        } else if (entry.isFile()) {
            files.push(relative);
        }
    }
    return files.sort();
}
