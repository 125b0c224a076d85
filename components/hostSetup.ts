import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { HostFiles } from "./hostFiles/resource";
import { contentHash } from "./plan/hash";
import { CommandStep, FileSetStep, fileText, HostStep, PlannedFile, renderStdin } from "./plan/step";
import { stepDependencies } from "./plan/stepGraph";
import { stepTimeoutSeconds } from "./plan/stepScripts";

export interface MachinePlan {
    host: string;
    /** The instance: its replacement re-runs every step on the new machine. */
    instanceId: pulumi.Input<string>;
    address: pulumi.Input<string>;
    /** The host's pinned SSH public key ("ssh-ed25519 AAAA..."): a server with another key is refused. */
    hostKey: pulumi.Input<string>;
    steps: HostStep<pulumi.Input<string>>[];
}

export interface HostSetupArgs {
    plans: MachinePlan[];
    sshUser: string;
    sshPrivateKey: pulumi.Input<string>;
    /** Resources a step needs beyond the hosts, by step name (e.g. "create-app-db" -> the database). */
    stepPrerequisites: Record<string, pulumi.Input<pulumi.Resource>[]>;
}

type Value = pulumi.Input<string>;

/**
 * The deployer's bound of a step. It stops only the dialling: a custom timeout becomes the
 * operation's context deadline (pulumi-go-provider v1.3.0 middleware/cancel/cancel.go) and the dial
 * loop stops with the context (pulumi-command v1.2.1 remote/connection.go `dialWithRetry`), but
 * `session.Run` in remote/commandOutputs.go takes no context, so a command already running is not
 * stopped by it. The host bounds that: `ha-web-step` runs each step under `timeout`
 * (stepTimeoutSeconds). This one is a minute longer, so the host's message arrives first. The step
 * runs as its own systemd unit: when the deployer goes (a second Ctrl-C, a lost connection), it
 * runs on, and the next `pulumi up` joins it (files/run-step.sh, docs/operations.md).
 */
const stepTimeout = `${stepTimeoutSeconds / 60 + 1}m`;

/**
 * The Pulumi executor of the host plan: each file set becomes a `HostFiles` resource and each
 * command a `command.remote.Command` on its host, ordered by the plan's `waitsFor` edges, so host
 * bootstrap, EFS mount, configuration, database set-up and the rolling rollout form one
 * dependency graph. It only transports the plan: command lines and stdin are the plan's own.
 */
export class HostSetup extends pulumi.ComponentResource {
    /** Every step's resource by qualified name ("host-a/rollout"). */
    public readonly steps = new Map<string, pulumi.Resource>();

    constructor(name: string, args: HostSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:hosts:HostSetup", name, {}, opts);
        const plans = new Map(args.plans.map((plan) => [plan.host, plan]));
        // In dependency order: every resource a step's dependsOn names exists before it.
        for (const [qualified, { host, step, waits }] of stepDependencies(args.plans)) {
            const plan = plans.get(host)!;
            const options: pulumi.CustomResourceOptions = {
                parent: this,
                dependsOn: [...waits.map((d) => this.steps.get(d)!), ...(args.stepPrerequisites[step.name] ?? [])],
            };
            const resourceName = `${name}-${host}-${step.name}`;
            const resource = step.kind === "files"
                ? placeFiles(resourceName, plan, step, args, options)
                : runCommand(resourceName, plan, step, args, options);
            this.steps.set(qualified, resource);
        }
        this.registerOutputs({});
    }
}

function placeFiles(resourceName: string, plan: MachinePlan, step: FileSetStep<Value>, args: HostSetupArgs, options: pulumi.CustomResourceOptions): HostFiles {
    const spec = (file: PlannedFile<Value>) => {
        const content = "env" in file.content
            ? pulumi.all(file.content.env).apply((values) => fileText({ ...file, content: { env: values } }))
            : pulumi.output("text" in file.content ? file.content.text : file.content.value);
        return { path: file.path, mode: file.mode, content, hash: content.apply(contentHash) };
    };
    return new HostFiles(resourceName, {
        name: step.name,
        hostName: plan.host,
        connection: { host: plan.address, port: 22, user: args.sshUser, privateKey: args.sshPrivateKey, hostKey: plan.hostKey },
        machine: plan.instanceId,
        files: step.files.filter((f) => !f.secret).map(spec),
        secretFiles: step.files.filter((f) => f.secret).map(spec),
        directories: step.directories,
    }, options);
}

/** The outputs a command's resource keeps secret in the state: those of a secret step, or of one that may print secrets. */
export function secretOutputs(step: CommandStep<unknown>): string[] {
    return step.stdin?.secret || step.outputMayShowSecrets ? ["stdout", "stderr"] : [];
}

function runCommand(resourceName: string, plan: MachinePlan, step: CommandStep<Value>, args: HostSetupArgs, options: pulumi.CustomResourceOptions): command.remote.Command {
    const secret = step.stdin?.secret ?? false;
    const stdin = step.stdin ? pulumi.all(step.stdin.values).apply(renderStdin) : undefined;
    return new command.remote.Command(resourceName, {
        connection: {
            host: plan.address,
            user: args.sshUser,
            privateKey: args.sshPrivateKey,
            hostKey: plan.hostKey,
            // The host already answered SSH for its step-scripts file set, so a few dials are plenty.
            // pulumi-command v1.2.1 (remote/connection.go `dialWithRetry`) retries every failed dial alike
            // (refused, reset, timed out, even a wrong host key) and gives up once dials > dialErrorLimit:
            // after 11 dials, with retry.Until's back-off between them (100 ms, x1.5 a try: ~11 s in all).
            // perDialTimeout becomes ssh.ClientConfig.Timeout (`SSHConfig`), which bounds the TCP connect
            // only: a refused or reset connection ends its dial at once (a dead address fails the step in
            // ~11 s), a dropped packet after 15 s (~3 min for the 11 dials).
            dialErrorLimit: 10,
            perDialTimeout: 15,
        },
        create: step.command,
        stdin: secret && stdin ? pulumi.secret(stdin) : stdin,
        // A replaced instance runs every step again; any other changed trigger or input runs `create`
        // again too (pulumi-command's Update runs `create` when no `update` is set: commandController.go).
        triggers: [plan.instanceId, ...step.triggers],
        // Environment variables over SSH need AcceptEnv on the host, and previous output could carry
        // secrets into the environment: both are off, inputs travel on stdin only.
        addPreviousOutputInEnv: false,
        // ha-web-step --quiet prints only a summary for a secret step; keep even that out of the state.
        logging: secret ? "none" : "stdoutAndStderr",
    }, {
        ...options,
        customTimeouts: { create: stepTimeout, update: stepTimeout, delete: stepTimeout },
        additionalSecretOutputs: secretOutputs(step),
    });
}
