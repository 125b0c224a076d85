import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { copySources } from "../../components/plan/hash";
import { HostStep, renderStdin } from "../../components/plan/hostStep";
import { qualifiedStepName, stepDependencies } from "../../components/plan/remoteInvocation";
import { note } from "./progress";
import { docker, dockerBinary, run } from "./run";
import { hostContainer, stateDir } from "./stackLayout";

export interface HostPlan {
    host: string;
    steps: HostStep<string>[];
}

export interface StepOutcome {
    host: string;
    step: string;
    result: "ran" | "skipped";
    seconds: number;
}

/** Where a host keeps the trigger hash of each step it ran (lost with the container, like an instance). */
const hashDir = "/var/lib/ha-web/steps";
const logDir = path.join(stateDir, "logs");

/**
 * The local executor of the host plan, the counterpart of components/hostSetup.ts: runs each step in
 * its host container (`docker exec` with the step's stdin, `docker cp` for copies) as soon as the steps
 * it waits for are done, and skips a step whose trigger hash is unchanged since it last succeeded,
 * as the Pulumi engine does. `force` runs every step anyway (drill 6: each must be a no-op).
 */
export async function runHostPlans(plans: HostPlan[], options: { force?: boolean } = {}): Promise<StepOutcome[]> {
    const dependencies = stepDependencies(plans);
    const done = new Map<string, Promise<StepOutcome>>();
    for (const plan of plans) {
        for (const step of plan.steps) {
            const qualified = qualifiedStepName(plan.host, step.name);
            const waits = (dependencies.get(qualified) ?? []).map((d) => done.get(d)!);
            done.set(qualified, Promise.all(waits).then(() => runStep(plan.host, step, options.force ?? false)));
        }
    }
    // Settle all before reporting, so a failure on one host does not hide what another host did.
    const settled = await Promise.allSettled(done.values());
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<StepOutcome>).value);
}

async function runStep(host: string, step: HostStep<string>, force: boolean): Promise<StepOutcome> {
    const label = `${host.padEnd(7)} ${step.name.padEnd(14)}`;
    const hash = stepHash(step);
    const hashFile = `${hashDir}/${step.name}.sha256`;
    const container = hostContainer(host);
    if (!force && (await run(dockerBinary, ["exec", container, "cat", hashFile])).stdout.trim() === hash) {
        note(`${label} skipped (unchanged)`);
        return { host, step: step.name, result: "skipped", seconds: 0 };
    }
    const started = Date.now();
    note(`${label} running ...`);
    if (step.kind === "copy") {
        await docker(["exec", container, "bash", "-c", 'rm -rf "$1" && mkdir -p "$1"', "copy", step.remotePath]);
        await docker(["cp", `${stagedSources(host, step.localPath)}/.`, `${container}:${step.remotePath}`]);
    } else {
        await runScript(container, label, step);
    }
    await docker(["exec", "-i", container, "bash", "-c", `mkdir -p ${hashDir} && cat > ${hashFile}`], { input: hash });
    const seconds = (Date.now() - started) / 1000;
    note(`${label} ran in ${seconds.toFixed(1)} s`);
    return { host, step: step.name, result: "ran", seconds };
}

async function runScript(container: string, label: string, step: Extract<HostStep<string>, { kind: "run" }>) {
    const input = step.stdin ? renderStdin(step.stdin.values) : "";
    const result = await run(dockerBinary, ["exec", "-i", container, "bash", "-c", step.script, `ha-web-${step.name}`], { input });
    // A secret step's output may echo its inputs: it stays out of logs, as Pulumi keeps it out of state.
    const output = step.stdin?.secret ? "(output of a secret step is not shown)\n" : result.stdout + result.stderr;
    fs.mkdirSync(logDir, { recursive: true });
    const logFile = path.join(logDir, `${container}-${step.name}.log`);
    fs.writeFileSync(logFile, output);
    if (result.code !== 0) {
        const tail = output.trimEnd().split("\n").slice(-30).join("\n");
        throw new Error(`${label} failed (exit ${result.code}); full log: ${logFile}\n${tail}`);
    }
}

/** The sources a host builds from (what the step's trigger hashed), staged per host: hosts copy in parallel. */
function stagedSources(host: string, dir: string): string {
    const staged = path.join(stateDir, "upload", host, path.basename(dir));
    copySources(dir, staged);
    return staged;
}

/** Everything that must re-run the step when it changes, as Pulumi sees it: script, inputs, triggers. */
function stepHash(step: HostStep<string>): string {
    const what = step.kind === "copy"
        ? { kind: step.kind, to: step.remotePath, triggers: step.triggers }
        : { kind: step.kind, script: step.script, stdin: step.stdin?.values ?? {}, triggers: step.triggers };
    return createHash("sha256").update(JSON.stringify(what)).digest("hex");
}
