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

/** Upper bound of a retirement: the drain's detection wait, the deregistration delay, and slack for SSH. */
export function retireHostSeconds(): number {
    return detectionWindowSeconds() + deregistrationDelaySeconds + 60;
}
