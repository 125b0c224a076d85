import { deregistrationDelaySeconds, detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "./healthCheck";
import { HostPaths, hostPaths } from "./hostPaths";
import { renderFile } from "./render";

/** How long a new host may take to pass the load balancer's health checks once it is set up. */
export const inServiceTimeoutSeconds = 180;

/** The script a new host runs once it is set up: returns when the load balancer's health checks pass. */
export function awaitInServiceScript(paths: HostPaths = hostPaths): string {
    return renderFile("await-in-service.sh", {
        accessLog: paths.nginxAccessLog,
        userAgentPrefix: healthCheck.userAgentPrefix,
        healthyThreshold: String(healthCheck.healthyThreshold),
        timeoutSeconds: String(inServiceTimeoutSeconds),
    });
}

/** The script a host runs just before it is deleted: drain, then wait out the deregistration delay. */
export function retireHostScript(paths: HostPaths = hostPaths): string {
    return renderFile("retire-host.sh", {
        drainCommand: paths.drainCommand,
        deregistrationDelaySeconds: String(deregistrationDelaySeconds),
    });
}

/**
 * The membership command's actions: placed step scripts (the host's step-scripts set) run by
 * ha-web-step, not command-line payloads. A host that never got as far as its step scripts serves
 * nothing, so its retirement has nothing to drain.
 */
export function awaitInServiceCommandLine(paths: HostPaths = hostPaths): string {
    return `sudo -n ${paths.stepRunner} await-in-service`;
}

export function retireCommandLine(paths: HostPaths = hostPaths): string {
    return `if [ -x ${paths.stepRunner} ]; then sudo -n ${paths.stepRunner} retire-host; `
        + "else echo 'ha-web: this host was never set up, so it serves nothing: nothing to drain'; fi";
}

/** Upper bound of a retirement: the drain's detection wait, the deregistration delay, and slack for SSH. */
export function retireHostSeconds(): number {
    return detectionWindowSeconds() + deregistrationDelaySeconds + 60;
}

/** Upper bound of the wait for service: the script's own timeout, a rejoin window, and slack for SSH. */
export function awaitInServiceSeconds(): number {
    return inServiceTimeoutSeconds + rejoinWindowSeconds() + 60;
}
