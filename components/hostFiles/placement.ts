import type { Client } from "ssh2";
import { directoryHash, sourceFiles } from "../plan/hash";
import {
    FileSetChanges, FileSetInputs, FileSetState, fileSetChanges, installScript, manifestPath, removalScript, stagedName, stateOf,
} from "./fileSet";
import { describeTarget, dial, exec, makeDirectory, putFile, sftp } from "./ssh";

/**
 * Places a file set on its host and removes it again: the operations behind the HostFiles
 * dynamic provider, called by Pulumi on AWS and directly by the local stack's executor.
 *
 * How a set travels: the SSH user stages every entry with SFTP in a fresh `mktemp -d` folder (never
 * one an earlier run left), then root installs from there (`sudo -n bash -s`, the script on stdin)
 * and deletes the staging folder. Contents never appear in a command line or in the script.
 */

/** A booting instance may take minutes before SSH answers (the first set on a host waits for it). */
export const placeTimeoutSeconds = 600;
/** A set being deleted may belong to a host that is already gone: try briefly, then let it go. */
const removeTimeoutSeconds = 60;

/** Creates (no `olds`) or updates a set; returns its new state. */
export async function placeFileSet(inputs: FileSetInputs, olds?: FileSetState): Promise<FileSetState> {
    const changes: FileSetChanges = olds
        ? fileSetChanges(olds, inputs)
        : { write: { files: [...inputs.files, ...inputs.secretFiles], directories: inputs.directories }, remove: [], replace: false };
    const owner = olds?.owner ?? newOwner();
    for (const dir of changes.write.directories) {
        if (directoryHash(dir.source) !== dir.hash) {
            throw new Error(`${inputs.hostName}: ${dir.source} changed after the plan was made (its hash is not ${dir.hash.slice(0, 12)}...); run again`);
        }
    }
    const where = `${inputs.hostName} (${describeTarget(inputs.connection)})`;
    const client = await dial(inputs.connection, { timeoutSeconds: placeTimeoutSeconds });
    try {
        const staging = await stage(client, where, changes);
        const script = installScript({ staging, set: inputs.name, owner, write: changes.write, remove: changes.remove, manifest: manifestPath(inputs.name) });
        const result = await exec(client, "sudo -n bash -s", script);
        if (result.code !== 0) {
            throw new Error(`${where}: installing file set ${inputs.name} failed (exit ${result.code}): ${lastLines(result.stderr || result.stdout)}`);
        }
    } finally {
        client.end();
    }
    return stateOf(inputs, owner);
}

/** Deletes a set's files from its host, unless it was placed again since (see `removalScript`). */
export async function removeFileSet(state: FileSetState): Promise<string> {
    let client: Client;
    try {
        client = await dial(state.connection, { timeoutSeconds: removeTimeoutSeconds });
    } catch (error) {
        return `${state.hostName}: not reachable, so its files go with it (${(error as Error).message})`;
    }
    try {
        const paths = [...state.files, ...state.secretFiles, ...state.directories].map((e) => e.path);
        const result = await exec(client, "sudo -n bash -s", removalScript({ owner: state.owner, manifest: manifestPath(state.name), paths }));
        if (result.code !== 0) {
            throw new Error(`${state.hostName}: removing file set ${state.name} failed (exit ${result.code}): ${lastLines(result.stderr)}`);
        }
        return result.stdout.trim();
    } finally {
        client.end();
    }
}

/** Uploads what changed into a fresh staging folder of the SSH user's; returns its path. */
async function stage(client: Client, where: string, changes: FileSetChanges): Promise<string> {
    const made = await exec(client, "mktemp -d /tmp/ha-web-files.XXXXXXXX");
    const staging = made.stdout.trim();
    if (made.code !== 0 || !staging.startsWith("/tmp/ha-web-files.")) {
        throw new Error(`${where}: cannot make a staging folder (exit ${made.code}): ${lastLines(made.stderr)}`);
    }
    const session = await sftp(client);
    const upload = async (target: string, remote: string, data: string | Buffer) => {
        try {
            await putFile(session, remote, data);
        } catch (error) {
            throw new Error(`${where}: uploading ${target} failed: ${(error as Error).message}`);
        }
    };
    try {
        const { files, directories } = changes.write;
        for (const [i, file] of files.entries()) {
            await upload(file.path, `${staging}/${stagedName(i)}`, file.content ?? "");
        }
        for (const [j, dir] of directories.entries()) {
            const root = `${staging}/${stagedName(files.length + j)}`;
            const made = new Set([root]);
            await makeDirectory(session, root);
            for (const relative of sourceFiles(dir.source)) {
                const parts = relative.split("/");
                for (let depth = 1; depth < parts.length; depth++) {
                    const sub = `${root}/${parts.slice(0, depth).join("/")}`;
                    if (!made.has(sub)) {
                        await makeDirectory(session, sub);
                        made.add(sub);
                    }
                }
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized provider (see ssh.ts)
                const fs = require("fs") as typeof import("fs");
                await upload(`${dir.path}/${relative}`, `${root}/${relative}`, fs.readFileSync(`${dir.source}/${relative}`));
            }
        }
    } finally {
        session.end();
    }
    return staging;
}

function newOwner(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized provider (see ssh.ts)
    return (require("crypto") as typeof import("crypto")).randomBytes(8).toString("hex");
}

function lastLines(text: string): string {
    return text.trimEnd().split("\n").slice(-10).join("\n");
}
