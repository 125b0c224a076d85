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
 * sha256 (hex) over every file under `dir` (relative path and content, in sorted order), skipping
 * node_modules, dist and .git: the same sources give the same hash on any machine.
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

/** Relative paths (with "/") of the files under `dir`, sorted: what a host builds the app from. */
export function sourceFiles(dir: string, prefix = ""): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory() && !ignoredDirectories.includes(entry.name)) {
            files.push(...sourceFiles(dir, relative));
        } else if (entry.isFile()) {
            files.push(relative);
        }
    }
    return files.sort();
}
