import { HostPorts, localHostPorts } from "../../components/plan/hostPorts";
import { localHostCounts, readLocalHostSettings } from "../releases/localSettings";

/**
 * Every name a local host can have, in rollout order (host-a ... host-f); a slot's index is its block
 * of ports (hostPorts.ts). The load balancer checks every slot, as an ALB checks every registered
 * target: a slot without a host fails its checks and gets no traffic.
 */
export const hostSlots: string[] = Array.from({ length: localHostCounts.max }, (_, i) => `host-${String.fromCharCode(97 + i)}`);

/** The hosts the stack runs now: the first `hostCount` slots (local.settings.json), in rollout order. */
export function hostNames(): string[] {
    return hostSlots.slice(0, readLocalHostSettings().hostCount);
}

export function localHosts(): HostPorts[] {
    return hostNames().map(hostPorts);
}

/** A slot's ports; any slot, so a host that `up` retires (hostCount lowered) is still reachable. */
export function hostPorts(name: string): HostPorts {
    const index = hostSlots.indexOf(name);
    if (index < 0) {
        throw new Error(`unknown host ${name}: expected one of ${hostSlots.join(", ")}`);
    }
    return localHostPorts(name, index);
}
