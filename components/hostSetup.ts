import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as os from "os";
import * as path from "path";
import { copySources } from "./plan/hash";
import { CopyStep, HostStep, renderStdin, RunStep } from "./plan/hostStep";
import { installUploadScript, qualifiedStepName, remoteCommandLine, stepDependencies } from "./plan/remoteInvocation";

export interface HostPlan {
    host: string;
    /** The instance: its replacement re-runs every step on the new machine. */
    instanceId: pulumi.Input<string>;
    address: pulumi.Input<string>;
    /** The host's pinned SSH public key ("ssh-ed25519 AAAA..."): a server with another key is refused. */
    hostKey: pulumi.Input<string>;
    steps: HostStep<pulumi.Input<string>>[];
}

export interface HostSetupArgs {
    plans: HostPlan[];
    sshUser: string;
    sshPrivateKey: pulumi.Input<string>;
    /** Resources a step needs beyond the hosts, by step name (e.g. "create-app-db" -> the database). */
    stepPrerequisites: Record<string, pulumi.Input<pulumi.Resource>[]>;
}

/** How long the first step may wait for a booting host (SSH up, cloud-init done) before failing. */
const bootTimeout = "10m";
/**
 * Every other step's bound. With `dialErrorLimit: -1` a dead address would be dialled forever; a
 * custom timeout becomes the operation's context deadline in the provider (pulumi-go-provider
 * v1.3.0 middleware/cancel/cancel.go, which `infer` wraps every provider in), and the dial loop
 * stops with the context (pulumi-command v1.2.1 remote/connection.go `dialWithRetry`).
 */
const stepTimeout = "20m";

/**
 * The Pulumi executor of the host plan: each step becomes a `command.remote.Command` (or
 * `CopyToRemote`) on its host, ordered by the plan's `waitsFor` edges, so host bootstrap, EFS mount,
 * config upload, database set-up and the rolling rollout form one dependency graph.
 */
export class HostSetup extends pulumi.ComponentResource {
    /** Every step's resource by qualified name ("host-a/rollout"). */
    public readonly steps = new Map<string, pulumi.Resource>();

    constructor(name: string, args: HostSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:hosts:HostSetup", name, {}, opts);
        const dependencies = stepDependencies(args.plans);

        for (const plan of args.plans) {
            for (const step of plan.steps) {
                const qualified = qualifiedStepName(plan.host, step.name);
                const dependsOn = [
                    ...(dependencies.get(qualified) ?? []).map((d) => this.steps.get(d)!),
                    ...(args.stepPrerequisites[step.name] ?? []),
                ];
                const connection = {
                    host: plan.address,
                    user: args.sshUser,
                    privateKey: args.sshPrivateKey,
                    hostKey: plan.hostKey,
                    // A booting instance refuses SSH for a while: the default 10 dial errors are gone in
                    // seconds. Keep dialling; the boot step's custom timeout bounds the wait instead.
                    dialErrorLimit: -1,
                    perDialTimeout: 15,
                };
                const triggers = [plan.instanceId, ...step.triggers];
                const resourceName = `${name}-${plan.host}-${step.name}`;
                const options: pulumi.CustomResourceOptions = {
                    parent: this,
                    dependsOn,
                    customTimeouts: {
                        create: step.waitsFor.length === 0 ? bootTimeout : stepTimeout,
                        update: stepTimeout,
                        delete: stepTimeout,
                    },
                    // No ignoreChanges: a replacement caused by a trigger is created from the ignored
                    // properties' OLD values, so it would re-run the old script with the old inputs. A changed
                    // script or input re-runs the step (an update runs `create` again); every step is idempotent.
                };
                const resource = step.kind === "copy"
                    ? copyDirectory(resourceName, step, connection, triggers, options)
                    : runCommand(resourceName, step, connection, triggers, options);
                this.steps.set(qualified, resource);
            }
        }
        this.registerOutputs({});
    }
}

/**
 * SFTP runs as the SSH user, who cannot write root's folders, and copies a directory INTO an existing
 * target: so the sources go to a fresh staging path first, then a root command swaps them into place.
 */
function copyDirectory(
    resourceName: string,
    step: CopyStep<pulumi.Input<string>>,
    connection: command.types.input.remote.ConnectionArgs,
    triggers: pulumi.Input<string>[],
    options: pulumi.CustomResourceOptions,
): command.remote.Command {
    const staged = path.join(os.tmpdir(), "ha-web-upload", resourceName);
    copySources(step.localPath, staged);
    const stagingPath = `/tmp/${resourceName}-upload`;
    const clear = new command.remote.Command(`${resourceName}-clear`, {
        connection,
        create: `rm -rf ${stagingPath}`,
        triggers,
        addPreviousOutputInEnv: false,
    }, options);
    const upload = new command.remote.CopyToRemote(`${resourceName}-upload`, {
        connection,
        source: new pulumi.asset.FileArchive(staged),
        remotePath: stagingPath,
        triggers,
    }, { ...options, dependsOn: [clear] });
    return runCommand(resourceName, {
        kind: "run",
        name: step.name,
        waitsFor: step.waitsFor,
        triggers: step.triggers,
        script: installUploadScript(stagingPath, step.remotePath),
    }, connection, triggers, { ...options, dependsOn: [upload] });
}

function runCommand(
    resourceName: string,
    step: RunStep<pulumi.Input<string>>,
    connection: command.types.input.remote.ConnectionArgs,
    triggers: pulumi.Input<string>[],
    options: pulumi.CustomResourceOptions,
): command.remote.Command {
    const secret = step.stdin?.secret ?? false;
    const stdin = step.stdin
        ? pulumi.all(step.stdin.values).apply((values) => renderStdin(values))
        : undefined;
    return new command.remote.Command(resourceName, {
        connection,
        create: remoteCommandLine(step),
        stdin: secret && stdin ? pulumi.secret(stdin) : stdin,
        triggers,
        // Environment variables over SSH need AcceptEnv on the host, and previous output could carry
        // secrets into the environment: both are off, inputs travel on stdin only.
        addPreviousOutputInEnv: false,
        // A failed command's error shows its output; a step that handles secrets shows none.
        logging: secret ? "none" : "stdoutAndStderr",
    }, {
        ...options,
        additionalSecretOutputs: secret ? ["stdout", "stderr"] : [],
    });
}
