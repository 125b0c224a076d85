import { constants } from "os";
import { note } from "../progress";

/** An action a signal stopped: its message says where things are; the process exits with `exitCode`. */
export class Interrupted extends Error {
    constructor(message: string, readonly exitCode: number) {
        super(message);
    }
}

/**
 * npm forwards the terminal's SIGINT to the script it runs, which got it from the terminal already
 * (@npmcli/run-script's signal-manager.js), so one Ctrl-C arrives twice within milliseconds. A
 * second signal after this long is a person pressing again.
 */
const sameSignalMs = 1000;

/**
 * Runs `action` with Ctrl-C (SIGINT) and SIGTERM turned into an abort of `signal`, as `pulumi up`
 * does (pulumi v3.248.0):
 * - first signal: the CLI cancels the update (pkg/backend/cancellation_scope.go,
 *   `cancellationScopeSource.NewScope`: `cancelSource.Cancel()`); the step executor starts no further
 *   step (pkg/resource/deploy/step_executor.go, `stepExecutor.executeChain` checks its context before
 *   each step); the deployment executor sends every provider the Cancel RPC
 *   (pkg/resource/deploy/deployment_executor.go, `deploymentExecutor.Execute` ->
 *   pkg/host/host.go `defaultHost.SignalCancellation`). pulumi-go-provider's cancel middleware
 *   (v1.3.0 middleware/cancel/cancel.go, `Wrap`, which infer.Provider applies) then cancels the
 *   contexts of the operations under way, but a remote.Command already running does not watch its
 *   context (pulumi-command v1.2.1 provider/pkg/provider/remote/commandOutputs.go, `CommandOutputs.run`:
 *   `session.Run(cmd)`), so the steps under way finish. Here: no new host step starts (the executor
 *   checks `signal`), the steps under way finish, and the action ends with `Interrupted` carrying
 *   `report()`: where each host is and what to run; an action that finishes anyway (the signal came
 *   after its last step started) returns as usual.
 * - second signal: the CLI terminates (`cancelSource.Terminate()`), its provider plugins and their SSH
 *   sessions with it. Here: the process exits at once, which drops the SSH sessions the same way.
 *   Either way the host steps run on as their own systemd units (files/run-step.sh); the next run
 *   joins them or finds what they did.
 */
export async function interruptible<T>(action: (signal: AbortSignal) => Promise<T>, report: () => Promise<string>): Promise<T> {
    const controller = new AbortController();
    let firstAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
        if (!controller.signal.aborted) {
            firstAt = Date.now();
            note(`${signal}: no further host step starts; waiting for the steps under way to finish (${signal} again quits at once)`);
            controller.abort(signal);
        } else if (Date.now() - firstAt > sameSignalMs) {
            process.exit(exitCode(signal));
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        const value = await action(controller.signal).catch(async (error: Error) => {
            if (!controller.signal.aborted) throw error;
            const signal = controller.signal.reason as NodeJS.Signals;
            note(`stopped by the signal: ${error.message.split("\n")[0]}`);
            throw new Interrupted(`${signal}: interrupted.\n${await report()}`, exitCode(signal));
        });
        // Every step had started before the signal, so it stopped nothing: the action is done.
        if (controller.signal.aborted) note(`${controller.signal.reason} came after the last step had started: nothing was left to stop, and it finished`);
        return value;
    } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}

/** The shell's convention: 128 + the signal's number (SIGINT 130, SIGTERM 143). */
function exitCode(signal: NodeJS.Signals): number {
    return 128 + constants.signals[signal];
}
