import { deregistrationDelaySeconds, detectionWindowSeconds } from "./healthCheck";
import { HostPaths, hostPaths } from "./hostPaths";
import { renderFile } from "./render";

/** The script a host runs just before it is deleted: drain, then wait out the deregistration delay. */
export function retireHostScript(paths: HostPaths = hostPaths): string {
    return renderFile("retire-host.sh", {
        drainCommand: paths.drainCommand,
        deregistrationDelaySeconds: String(deregistrationDelaySeconds),
    });
}

/**
 * The delete command of a host's retirement: the placed retire-host step, run by ha-web-step. A
 * host that never got as far as its step scripts serves nothing, so there is nothing to drain.
 */
export function retireCommandLine(paths: HostPaths = hostPaths): string {
    return `if [ -x ${paths.stepRunner} ]; then sudo -n ${paths.stepRunner} retire-host; `
        + "else echo 'ha-web: this host was never set up, so it serves nothing: nothing to drain'; fi";
}

/** Upper bound of a retirement: the drain's detection wait, the deregistration delay, and slack for SSH. */
export function retireHostSeconds(): number {
    return detectionWindowSeconds() + deregistrationDelaySeconds + 60;
}
