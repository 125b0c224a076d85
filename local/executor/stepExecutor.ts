import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FileSetInputs, FileSetState, fileSetChanges, hasChanges } from "../../components/hostFiles/fileSet";
import { placeFileSet } from "../../components/hostFiles/placement";
import { dial, exec, SshTarget } from "../../components/hostFiles/ssh";
import { contentHash } from "../../components/plan/hash";
import { CommandStep, FileSetStep, fileText, HostStep, renderStdin } from "../../components/plan/step";
import { stepDependencies } from "../../components/plan/stepGraph";
import { hostAccess } from "../stack/hostAccess";
import { note } from "../progress";
import { stateDir } from "../stack/stackLayout";
import { HostPlan } from "../../components/plan/stackPlan";

/** How the executor reaches a host, and which machine answers there now (the container's id). */
export interface HostAccess {
    target: SshTarget;
    machine: string;
}

export interface StepOutcome {
    host: string;
    step: string;
    result: "ran" | "skipped";
    /** When the step started (ms since the epoch): drills check which hosts were busy at once. */
    startedAt: number;
    seconds: number;
}

/** What a command step sends: the exact command line and stdin a remote.Command would send. */
export interface CommandRequest {
    command: string;
    stdin: string;
}

export interface ExecutorOptions {
    /** Run every step, changed or not. */
    force?: boolean;
    /** How to reach a host (default: the local stack's hosts). */
    access?: (host: string) => Promise<HostAccess>;
    /**
     * Where the executor keeps its state (the local twin of Pulumi's: per host and step, what was
     * applied last, as hashes) and step logs. Default: the local stack's .local-stack.
     */
    workDir?: string;
    /** Once aborted (Ctrl-C during a deploy), no further step starts; the steps under way finish. */
    signal?: AbortSignal;
}

/**
 * The local executor of the host plan, the counterpart of components/hostSetup.ts. Every step
 * reaches its host over SSH, as on AWS:
 * - a file set through the HostFiles provider's own functions (placeFileSet);
 * - a command as the identical command line and stdin pulumi-command would send (`commandRequest`),
 *   on one SSH session.
 * It keeps the engine's semantics: a step runs as soon as the steps it waits for are done; an
 * unchanged step is skipped; a changed trigger or input runs a command again; a file set writes what
 * changed and deletes what left; a new machine (re-created container) runs everything again.
 * `force` runs every step anyway (drill 6: each must be a no-op).
 */
export async function runHostPlans(plans: HostPlan<string>[], options: ExecutorOptions = {}): Promise<StepOutcome[]> {
    // Looked up once per host and run (when its first step starts): keys and machine do not change meanwhile.
    const lookUp = options.access ?? hostAccess;
    const accessByHost = new Map<string, Promise<HostAccess>>();
    const access = (host: string) => accessByHost.get(host) ?? accessByHost.set(host, lookUp(host)).get(host)!;
    const context: StepContext = { force: options.force ?? false, workDir: options.workDir ?? stateDir };
    const done = new Map<string, Promise<StepOutcome>>();
    for (const [qualified, { host, step, waits }] of stepDependencies(plans)) {
        done.set(qualified, Promise.all(waits.map((d) => done.get(d)!)).then(async () => {
            if (options.signal?.aborted) throw new Error(`${qualified} not started: interrupted`);
            return runStep(host, step, await access(host), context);
        }));
    }
    // Settle all before reporting, so a failure on one host does not hide what another host did.
    const settled = await Promise.allSettled(done.values());
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<StepOutcome>).value);
}

/** The bytes a command step sends: its command line, and its stdin rendered as remote.Command's is. */
export function commandRequest(step: CommandStep<string>): CommandRequest {
    return { command: step.command, stdin: step.stdin ? renderStdin(step.stdin.values) : "" };
}

/** A file set step as the HostFiles resource's inputs. */
export function fileSetInputs(host: string, step: FileSetStep<string>, access: HostAccess): FileSetInputs {
    const spec = (file: FileSetStep<string>["files"][number]) => {
        const content = fileText(file);
        return { path: file.path, mode: file.mode, content, hash: contentHash(content) };
    };
    return {
        name: step.name,
        hostName: host,
        connection: access.target,
        machine: access.machine,
        files: step.files.filter((f) => !f.secret).map(spec),
        secretFiles: step.files.filter((f) => f.secret).map(spec),
        directories: step.directories,
    };
}

interface StepContext {
    force: boolean;
    workDir: string;
}

async function runStep(host: string, step: HostStep<string>, access: HostAccess, context: StepContext): Promise<StepOutcome> {
    const label = `${host.padEnd(7)} ${step.name.padEnd(14)}`;
    const started = Date.now();
    const ran = step.kind === "files"
        ? await placeFiles(host, step, access, context, label)
        : await runCommand(host, step, access, context, label);
    const seconds = (Date.now() - started) / 1000;
    note(ran ? `${label} ran in ${seconds.toFixed(1)} s` : `${label} skipped (unchanged)`);
    return { host, step: step.name, result: ran ? "ran" : "skipped", startedAt: started, seconds: ran ? seconds : 0 };
}

async function placeFiles(host: string, step: FileSetStep<string>, access: HostAccess, context: StepContext, label: string): Promise<boolean> {
    const inputs = fileSetInputs(host, step, access);
    const previous = readState<FileSetState>(context, host, step.name);
    // Pulumi's state keeps the connection (its key encrypted); here it comes from `access` each run.
    const olds = previous && { ...previous, connection: access.target };
    const changes = olds && fileSetChanges(olds, inputs);
    if (!context.force && changes && !hasChanges(changes)) return false;
    note(`${label} placing files ...`);
    const state = await placeFileSet(inputs, changes && !changes.replace ? olds : undefined);
    writeState(context, host, step.name, { ...state, connection: { ...state.connection, privateKey: "(not kept)" } });
    return true;
}

async function runCommand(host: string, step: CommandStep<string>, access: HostAccess, context: StepContext, label: string): Promise<boolean> {
    const request = commandRequest(step);
    // As remote.Command's inputs: the command, stdin and triggers (the machine among them). Hashed,
    // since stdin may hold secrets.
    const applied = createHash("sha256").update(JSON.stringify([request, access.machine, step.triggers])).digest("hex");
    if (!context.force && readState<string>(context, host, step.name) === applied) return false;
    note(`${label} running ...`);
    const client = await dial(access.target, { timeoutSeconds: 60 });
    let result;
    try {
        result = await exec(client, request.command, request.stdin);
    } finally {
        client.end();
    }
    // ha-web-step --quiet keeps a secret step's output on the host; what it prints is the summary.
    const output = result.stdout + result.stderr;
    const logFile = path.join(context.workDir, "logs", `${host}-${step.name}.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, output, { mode: 0o600 });
    if (result.code !== 0) {
        const tail = output.trimEnd().split("\n").slice(-30).join("\n");
        throw new Error(`${label} failed (exit ${result.code}): ${request.command}; output in ${logFile}\n${tail}`);
    }
    writeState(context, host, step.name, applied);
    return true;
}

/** Drops what the executor recorded for a host that is gone (retired), as Pulumi drops a deleted resource's state. */
export function forgetHostSteps(host: string, workDir = stateDir): void {
    fs.rmSync(hostStateDir(workDir, host), { recursive: true, force: true });
}

function hostStateDir(workDir: string, host: string): string {
    return path.join(workDir, "state", host);
}

function stateFile(context: StepContext, host: string, step: string): string {
    return path.join(hostStateDir(context.workDir, host), `${step}.json`);
}

function readState<T>(context: StepContext, host: string, step: string): T | undefined {
    const file = stateFile(context, host, step);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as T : undefined;
}

function writeState(context: StepContext, host: string, step: string, value: unknown): void {
    const file = stateFile(context, host, step);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
}
