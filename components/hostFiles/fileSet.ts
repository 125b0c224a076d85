import * as path from "path";
import type { SshTarget } from "./ssh";

/**
 * A set of files ha-web places on one host, as data. Owner is always root (the SSH user stages,
 * sudo installs). Pure functions only: what changes between two sets, and the root-side script
 * that installs a staged set, so both are tested without a host.
 */
export interface FileSpec {
    /** Absolute path on the host. */
    path: string;
    /** Octal permission bits, e.g. "0644"; secrets are "0600". */
    mode: string;
    /** sha256 (hex) of the content: what diffs compare and what the host checks after install. */
    hash: string;
    /** The content itself; absent in state (outputs keep hashes only). */
    content?: string;
}

/** A local directory's sources (see `sourceFiles`) placed at `path`, replacing what was there. */
export interface DirectorySpec {
    path: string;
    /** Local directory on the machine that runs the deployment; read at create/update time. */
    source: string;
    /** `directoryHash` of `source`: large content stays out of state, only this hash is kept. */
    hash: string;
}

export interface FileSetInputs {
    /** The set's name on its host ("step-scripts", "host-config", "app-sources"): its manifest's name. */
    name: string;
    /** Host name for messages ("host-a"). */
    hostName: string;
    connection: SshTarget;
    /** The machine behind the address: when it changes the set is replaced (written anew there). */
    machine: string;
    files: FileSpec[];
    /** Files whose content is secret: a separate input, so Pulumi keeps all of it encrypted. */
    secretFiles: FileSpec[];
    directories: DirectorySpec[];
}

/** What a placed set records (Pulumi outputs / the local stack's state): hashes, never contents. */
export interface FileSetState extends Omit<FileSetInputs, "files" | "secretFiles"> {
    files: FileSpec[];
    secretFiles: FileSpec[];
    /** Random per placement, also written in the host's manifest: see `removalScript`. */
    owner: string;
}

/** Where a host keeps, per file set, which placement last wrote it and what it holds. */
export const manifestDir = "/var/lib/ha-web/file-sets";

const modePattern = /^0[0-7]{3}$/;
const pathPattern = /^\/[A-Za-z0-9._/@+-]+$/;

/** Every problem with a set's inputs, each naming the file and what to do. */
export function fileSetProblems(inputs: FileSetInputs): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    const entries = [...inputs.files, ...inputs.secretFiles, ...inputs.directories];
    for (const entry of entries) {
        if (!pathPattern.test(entry.path) || entry.path.split("/").includes("..")) {
            problems.push(`${entry.path}: must be an absolute path of letters, digits and ._/@+- without ".."`);
        }
        if (seen.has(entry.path)) problems.push(`${entry.path}: listed twice; keep one entry`);
        seen.add(entry.path);
        if (!/^[0-9a-f]{64}$/.test(entry.hash)) problems.push(`${entry.path}: hash must be a sha256 in hex`);
    }
    for (const file of [...inputs.files, ...inputs.secretFiles]) {
        if (!modePattern.test(file.mode)) problems.push(`${file.path}: mode "${file.mode}" must be octal like "0644"`);
        if (file.content === undefined) problems.push(`${file.path}: no content given`);
    }
    for (const file of inputs.secretFiles) {
        if (!file.mode.endsWith("0")) {
            problems.push(`${file.path}: a secret file must not be readable by others (mode ${file.mode}; use 0600 or 0640)`);
        }
    }
    if (!/^[a-z0-9-]+$/.test(inputs.name)) problems.push(`file set name "${inputs.name}" must be lowercase letters, digits and -`);
    return problems;
}

/** A file set's outputs: the inputs without contents. */
export function stateOf(inputs: FileSetInputs, owner: string): FileSetState {
    const withoutContent = ({ path, mode, hash }: FileSpec): FileSpec => ({ path, mode, hash });
    return {
        ...inputs,
        files: inputs.files.map(withoutContent),
        secretFiles: inputs.secretFiles.map(withoutContent),
        owner,
    };
}

export interface FileSetChanges {
    /** Entries to write: new or changed (all of them when the address changed). */
    write: { files: FileSpec[]; directories: DirectorySpec[] };
    /** Paths placed before and no longer in the set. */
    remove: string[];
    /** The machine changed: a new resource is created there (Pulumi replaces; create-before-delete). */
    replace: boolean;
}

/**
 * What an update must do. Only hashes and modes are compared (state has no contents). A new
 * address, user or host key means another way to the same machine: everything is written again,
 * so nothing relies on what an earlier run left there.
 */
export function fileSetChanges(olds: FileSetState, news: FileSetInputs): FileSetChanges {
    const reachedAnew = olds.connection.host !== news.connection.host || olds.connection.port !== news.connection.port
        || olds.connection.user !== news.connection.user || olds.connection.hostKey !== news.connection.hostKey;
    const before = new Map([...olds.files, ...olds.secretFiles, ...olds.directories].map((e) => [e.path, e]));
    const changed = <T extends { path: string; hash: string; mode?: string }>(entry: T) => {
        const old = before.get(entry.path) as { hash: string; mode?: string } | undefined;
        return reachedAnew || !old || old.hash !== entry.hash || old.mode !== entry.mode;
    };
    const now = new Set([...news.files, ...news.secretFiles, ...news.directories].map((e) => e.path));
    return {
        write: {
            files: [...news.files, ...news.secretFiles].filter(changed),
            directories: news.directories.filter(changed),
        },
        remove: [...before.keys()].filter((p) => !now.has(p)),
        replace: olds.machine !== news.machine,
    };
}

export function hasChanges(changes: FileSetChanges): boolean {
    return changes.replace || changes.write.files.length > 0 || changes.write.directories.length > 0 || changes.remove.length > 0;
}

/** A shell word, single-quoted. */
export function quote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Staged name of the i-th entry inside the staging directory. */
export function stagedName(index: number): string {
    return `entry-${index}`;
}

/**
 * The script root runs (`sudo bash -s`, on stdin) to install a staged set: each file is copied
 * beside its target and renamed over it (a reader never sees half a file), each directory is
 * built beside its target and swapped in, then every installed file is checked against its hash,
 * removed paths are deleted, and the manifest records this placement as the set's owner.
 */
export function installScript(args: {
    staging: string;
    set: string;
    owner: string;
    write: { files: FileSpec[]; directories: DirectorySpec[] };
    remove: string[];
    manifest: string;
}): string {
    const lines = [
        "set -euo pipefail",
        `staging=${quote(args.staging)}`,
        "trap 'rm -rf \"$staging\"' EXIT",
        // Names the command that failed: `set -e` alone exits without saying where.
        "trap 'echo \"failed: $BASH_COMMAND\" >&2' ERR",
        "umask 022",
    ];
    args.write.files.forEach((file, i) => {
        const target = quote(file.path);
        const temporary = quote(`${path.posix.dirname(file.path)}/.${path.posix.basename(file.path)}.ha-web-new`);
        lines.push(
            `install -D -o root -g root -m ${file.mode} "$staging/${stagedName(i)}" ${temporary} && mv -f ${temporary} ${target} ||`
            + ` { echo ${quote(`${file.path}: cannot be written (see above)`)} >&2; exit 1; }`,
            `if [[ "$(sha256sum <${target} | cut -c1-64)" != ${file.hash} ]]; then echo ${quote(`${file.path}: content differs from its hash after install`)} >&2; exit 1; fi`,
        );
    });
    args.write.directories.forEach((dir, i) => {
        const staged = `"$staging/${stagedName(args.write.files.length + i)}"`;
        const fresh = quote(`${dir.path}.ha-web-new`);
        const old = quote(`${dir.path}.ha-web-old`);
        lines.push(
            `rm -rf ${fresh} ${old}`,
            `mkdir -p "$(dirname ${fresh})"`,
            `cp -R ${staged} ${fresh}`,
            `chown -R root:root ${fresh}`,
            // Root-only: an uploaded directory (app/) may hold dotfiles such as .env; only root's docker build reads it.
            `chmod -R u=rwX,go= ${fresh}`,
            `if [[ -e ${quote(dir.path)} ]]; then mv ${quote(dir.path)} ${old}; fi`,
            `mv ${fresh} ${quote(dir.path)}`,
            `rm -rf ${old}`,
        );
    });
    for (const removed of args.remove) lines.push(`rm -rf ${quote(removed)}`);
    lines.push(
        `install -d -m 0700 ${quote(path.posix.dirname(args.manifest))}`,
        `printf '%s\\n' ${quote(args.owner)} > ${quote(args.manifest)}`,
        `echo ${quote(`${args.set}: ${args.write.files.length + args.write.directories.length} written, ${args.remove.length} removed`)}`,
        "",
    );
    return lines.join("\n");
}

/**
 * Deleting a set removes its files only if the host's manifest still names this placement as
 * the owner. A replacement (same set, new machine or new placement) writes the manifest first, so
 * the old placement's delete, run last by create-before-delete, never removes what the new one put
 * there, even when an Elastic IP leads it to the new machine.
 */
export function removalScript(args: { owner: string; manifest: string; paths: string[] }): string {
    return [
        "set -euo pipefail",
        `if [[ "$(cat ${quote(args.manifest)} 2>/dev/null)" != ${quote(args.owner)} ]]; then`,
        "  echo 'file set: placed again since; leaving its files'",
        "  exit 0",
        "fi",
        ...args.paths.map((placed) => `rm -rf ${quote(placed)}`),
        `rm -f ${quote(args.manifest)}`,
        `echo ${quote(`file set: ${args.paths.length} paths removed`)}`,
        "",
    ].join("\n");
}

export function manifestPath(set: string): string {
    return `${manifestDir}/${set}`;
}
