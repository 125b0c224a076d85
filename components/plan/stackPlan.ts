import { HostPorts } from "./hostPorts";
import { HostStep } from "./step";
import { HostInputs, planHost } from "./hostPlan";

/** What every host's plan shares; `listen` and the host order come from the hosts' ports. */
export type SharedHostInputs<V> = Omit<HostInputs<V>, "hosts" | "firstHost" | "previousHost" | "listen"> & {
    /** nginx binds this address (locally 127.0.0.1, where hosts share one network); all addresses when unset. */
    listenAddress?: string;
};

export interface HostPlan<V> {
    host: string;
    steps: HostStep<V>[];
}

/**
 * Every host's steps, in order: the first host creates the database and runs the release's
 * migration once every host has the image, each later host rolls out after the one before it. The Pulumi program and the local stack both call this with their own
 * values, so the two cannot assemble a host's plan differently.
 */
export function planHosts<V>(hosts: HostPorts[], shared: SharedHostInputs<V>): HostPlan<V>[] {
    const { listenAddress, ...inputs } = shared;
    return hosts.map((ports, index) => ({
        host: ports.name,
        steps: planHost(ports, {
            ...inputs,
            hosts: hosts.map((h) => h.name),
            firstHost: hosts[0].name,
            previousHost: index > 0 ? hosts[index - 1].name : undefined,
            listen: listenAddress ? `${listenAddress}:${ports.nginxPort}` : String(ports.nginxPort),
        }),
    }));
}
