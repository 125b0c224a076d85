import { HostStep, RunStep } from "./hostStep";

/**
 * The command line a run step becomes on an SSH host. The script travels base64-encoded inside the
 * command (it holds no secrets: those come on stdin) and runs as root under its step's name, so
 * `ps` and the journal say which step is running. stdin stays free for the step's inputs.
 */
export function remoteCommandLine(step: RunStep<unknown>): string {
    const encoded = Buffer.from(step.script, "utf8").toString("base64");
    return `sudo bash -c "$(printf '%s' '${encoded}' | base64 -d)" ha-web-${step.name}`;
}

/** A step's qualified name, as cross-host `waitsFor` entries spell it. */
export function qualifiedStepName(host: string, step: string): string {
    return `${host}/${step}`;
}

/**
 * The qualified names a step waits for. Same-host names are qualified with the step's host; every
 * name must refer to a step planned earlier (so the plan is acyclic and executors can run it in order).
 */
export function stepDependencies<V>(plans: Array<{ host: string; steps: HostStep<V>[] }>): Map<string, string[]> {
    const seen = new Set<string>();
    const dependencies = new Map<string, string[]>();
    const problems: string[] = [];
    for (const { host, steps } of plans) {
        for (const step of steps) {
            const name = qualifiedStepName(host, step.name);
            const waits = step.waitsFor.map((w) => (w.includes("/") ? w : qualifiedStepName(host, w)));
            for (const w of waits.filter((w) => !seen.has(w))) {
                problems.push(`${name} waits for ${w}, which is not planned before it`);
            }
            dependencies.set(name, waits);
            seen.add(name);
        }
    }
    if (problems.length > 0) {
        throw new Error(`Invalid host plan:\n - ${problems.join("\n - ")}`);
    }
    return dependencies;
}

/** Root moves an upload from the SSH user's staging path to its place, replacing what was there. */
export function installUploadScript(stagingPath: string, remotePath: string): string {
    return [
        "set -euo pipefail",
        `rm -rf '${remotePath}'`,
        `mkdir -p "$(dirname '${remotePath}')"`,
        `mv '${stagingPath}' '${remotePath}'`,
        `chown -R root:root '${remotePath}'`,
        `echo "upload: sources in place at ${remotePath}"`,
        "",
    ].join("\n");
}
