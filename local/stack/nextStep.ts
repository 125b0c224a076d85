import { haWeb } from "../commandLine/haWeb";
import { inRotation, servedReleases } from "./hostChecks";
import type { HostStatus } from "./status";

/**
 * The one command to type next, from the stack's state alone: `status`, a refused rollout, and a
 * Ctrl-C'd deploy or rollback all print this, so the same state always gets the same suggestion.
 */
export interface StackState {
    /** Whether the stack runs (its load balancer container). */
    up: boolean;
    hosts: HostStatus[];
    /** The release last rolled out on every host (the release book's current one), if any. */
    current?: string;
}

export interface NextStep {
    command: string;
    because: string;
}

export const upStep: NextStep = { command: haWeb("up"), because: "the local stack is not up" };

/**
 * The first row that applies, top to bottom (a rollout needs every host in rotation, so hosts
 * come before releases):
 *
 * | state                                            | next step                                  |
 * | ------------------------------------------------ | ------------------------------------------ |
 * | the load balancer or a host container is absent  | up                                         |
 * | a host's container is stopped                    | start-host <host>                          |
 * | a host is drained                                | undrain-host <host>                        |
 * | a host is coming back (load balancer DOWN n/m)   | status, until it shows the host UP         |
 * | a host runs but is out of rotation otherwise     | heal-host <host> (it may be cut or slowed) |
 * | hosts serve different releases                   | rollback <current> (or one of the others)  |
 * | every host in rotation, serving one release      | none                                       |
 */
export function nextStep(state: StackState): NextStep | undefined {
    if (!state.up || state.hosts.some((s) => s.container === "absent")) return upStep;
    const out = state.hosts.find((s) => !inRotation(s));
    if (out) return hostStep(out);
    const served = servedReleases(state.hosts);
    if (served.size < 2) return undefined;
    const versions = [...served.keys()];
    const back = state.current !== undefined && served.has(state.current) ? state.current : versions[0];
    const others = versions.filter((v) => v !== back);
    const which = back === state.current ? `${back}, the release last rolled out on every host` : back;
    return {
        command: haWeb("rollback", back),
        because: `puts every host on ${which}; to put them on ${others.join(" or ")} instead: ` +
            others.map((v) => haWeb("rollback", v)).join(" or "),
    };
}

/** How a suggestion reads, on a line of its own. */
export function formatNextStep(step: NextStep): string {
    return `next: ${step.command}   (${step.because})`;
}

function hostStep(s: HostStatus): NextStep {
    if (s.container === "stopped") return { command: haWeb("start-host", s.host), because: `${s.host} is stopped` };
    if (s.drained) return { command: haWeb("undrain-host", s.host), because: `${s.host} is drained` };
    if (s.target.startsWith("DOWN ")) {
        return { command: haWeb("status"), because: `${s.host} is coming back into rotation (${s.target}): wait until status shows it UP` };
    }
    return { command: haWeb("heal-host", s.host), because: `${s.host} runs but is out of rotation (${s.target}): it may be cut or slowed` };
}
