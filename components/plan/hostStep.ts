/**
 * A host's configuration is data: an ordered list of steps. Two executors consume the same steps:
 * the Pulumi components (one `command.remote.Command` / `CopyToRemote` per step on an EC2 host) and
 * the local stack (`docker exec` / `docker cp` into a host container).
 *
 * `V` is how a value is carried: plain `string` locally and in unit tests, `pulumi.Input<string>`
 * in the Pulumi program (endpoints and passwords are only known during deployment). The planning
 * functions never look inside a value, they only place it, so one plan serves both executors.
 */
export type HostStep<V = string> = RunStep<V> | CopyStep<V>;

interface StepBase<V> {
    /** Unique per host, stable (used in resource names): "bootstrap", "mount-shared", ... */
    name: string;
    /** Names of earlier steps (same host) that must succeed first. */
    waitsFor: string[];
    /** Values whose change must re-run the step: content hashes of what it applies, and its inputs. */
    triggers: V[];
}

/** Runs a bash script as root on the host. */
export interface RunStep<V> extends StepBase<V> {
    kind: "run";
    /** The rendered script. Never contains a deploy-time value or a secret: those arrive on stdin. */
    script: string;
    /**
     * Values handed to the script on stdin, one `NAME=value` line each, in this order (values are
     * single-line). When `secret`, executors keep stdin and the step's output out of logs and state.
     */
    stdin?: { values: Record<string, V>; secret: boolean };
}

/**
 * Puts a local directory's sources (see `copySources`) on the host: afterwards `remotePath` holds
 * exactly those files, owned by root, whatever was there before.
 */
export interface CopyStep<V> extends StepBase<V> {
    kind: "copy";
    localPath: string;
    remotePath: string;
}

/** The stdin text an executor sends for a step whose values are all known. */
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
