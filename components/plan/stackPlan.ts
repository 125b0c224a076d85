import { HostPorts } from "./hostPorts";
import { HostStep } from "./step";
import { HostInputs, planHost } from "./hostPlan";
import { batchBefore } from "./rolloutBatches";

/** What every host's plan shares; `listen` and the host order come from the hosts' ports. */
export type SharedHostInputs<V> = Omit<HostInputs<V>, "hosts" | "firstHost" | "previousHosts" | "listen"> & {
    /** nginx binds this address (locally 127.0.0.1, where hosts share one network); all addresses when unset. */
    listenAddress?: string;
    /** How many hosts take a change at once after the first (rolloutBatches.ts): `rolloutBatchSize` on both sides. */
    rolloutBatchSize: number;
};

export interface HostPlan<V> {
    host: string;
    steps: HostStep<V>[];
}

/**
 * Every host's steps, in order: the first host creates the database and runs the release's
 * migration once every host has the image; it takes every change alone (the canary), and the
 * other hosts follow in batches of `rolloutBatchSize`, each after the batch before it. The Pulumi
 * program and the local stack both call this with their own values, so the two cannot assemble a
 * host's plan differently.
 */
export function planHosts<V>(hosts: HostPorts[], shared: SharedHostInputs<V>): HostPlan<V>[] {
    const { listenAddress, rolloutBatchSize, ...inputs } = shared;
    const names = hosts.map((h) => h.name);
    const before = batchBefore(names, rolloutBatchSize);
    return hosts.map((ports) => ({
        host: ports.name,
        steps: planHost(ports, {
            ...inputs,
            hosts: names,
            firstHost: names[0],
            previousHosts: before.get(ports.name)!,
            listen: listenAddress ? `${listenAddress}:${ports.nginxPort}` : String(ports.nginxPort),
        }),
    }));
}
