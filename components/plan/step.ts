import { DirectorySpec } from "../hostFiles/fileSet";
import { contentHash } from "./hash";

/**
 * A host's configuration is data: an ordered list of steps, of two kinds. Two executors consume
 * the same steps and only transport them:
 * - the Pulumi program (components/hostSetup.ts): a file set becomes a `HostFiles` dynamic resource,
 *   a command a `command.remote.Command`;
 * - the local stack (local/executor/stepExecutor.ts): the same provider functions for file sets, and
 *   the identical command line and stdin over SSH (ssh2) for commands.
 *
 * `V` is how a value is carried: plain `string` locally and in unit tests, `pulumi.Input<string>`
 * in the Pulumi program (endpoints and passwords are only known during deployment). The planning
 * functions never look inside a value, they only place it, so one plan serves both executors.
 */
export type HostStep<V = string> = CommandStep<V> | FileSetStep<V>;

interface StepBase {
    /** Unique per host, stable (used in resource names): "bootstrap", "host-config", ... */
    name: string;
    /** Names of earlier steps (same host, or "host/step" for another host) that must succeed first. */
    waitsFor: string[];
}

/**
 * One command line run over SSH as the host's SSH user. Scripts are never on the command line: they
 * are host files (the "step-scripts" set) run by path, so a failure shows a short command, the
 * step, host, exit code and log path (pulumi-command puts the whole command line and its output
 * into a failed command's error: commandOutputs.go).
 */
export interface CommandStep<V> extends StepBase {
    kind: "command";
    command: string;
    /**
     * Values handed to the command on stdin, one `NAME=value` line each, in this order (values are
     * single-line). When `secret`, executors keep stdin and the output out of logs and state.
     */
    stdin?: { values: Record<string, V>; secret: boolean };
    /** Values whose change must run the command again: hashes of what it applies, its inputs. */
    triggers: V[];
    /**
     * Its output may show a secret though its stdin holds none: a migration tool that prints its
     * connection string, `docker-compose logs` of a failed release. Executors store it as a secret.
     */
    outputMayShowSecrets?: boolean;
}

/** Files placed on the host by the HostFiles provider (create, update by hash, delete what left). */
export interface FileSetStep<V> extends StepBase {
    kind: "files";
    files: PlannedFile<V>[];
    directories: DirectorySpec[];
}

/**
 * A file of a set: fixed text, or an env file of `NAME=value` lines whose values are only known
 * at deployment. A secret file's content (and its hash) is kept encrypted by Pulumi.
 */
export interface PlannedFile<V> {
    path: string;
    mode: string;
    secret: boolean;
    /** Fixed text, an env file, or one value as the whole file (a secret the app reads as `*_FILE`). */
    content: { text: string } | { env: Record<string, V> } | { value: V };
}

/** The stdin text (and env file text) for values that are all known. */
export function renderStdin(values: Record<string, string>): string {
    return Object.entries(values)
        .map(([name, value]) => {
            if (/[\r\n]/.test(value)) {
                throw new Error(`step input ${name} must be a single line`);
            }
            return `${name}=${value}\n`;
        })
        .join("");
}

/** A planned file's text once its values are known. */
export function fileText(file: PlannedFile<string>): string {
    if ("text" in file.content) return file.content.text;
    return "env" in file.content ? renderStdin(file.content.env) : file.content.value;
}

/**
 * What makes a step act again, as values: a command's triggers; a file set's file hashes (env
 * and value files: their values, which may be secret) and directory hashes. A digest over every step's
 * tokens changes exactly when some host's configuration does.
 */
export function changeTokens<V>(step: HostStep<V>): V[] {
    if (step.kind === "command") return step.triggers;
    return [
        ...step.files.flatMap((file): V[] => {
            if ("text" in file.content) return [contentHash(file.content.text) as V];
            return "env" in file.content ? Object.values(file.content.env) : [file.content.value];
        }),
        ...step.directories.map((dir) => dir.hash as V),
    ];
}
