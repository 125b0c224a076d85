import type { HostStatus } from "./status";

/**
 * Checks on the hosts' status (status.ts reads it): whether a rollout may start, and whether the
 * hosts serve one release. What to type about either is nextStep.ts's.
 */

/** Running, not drained, and UP in the load balancer: a host a rollout may take out and put back. */
export function inRotation(s: HostStatus): boolean {
    return s.container === "running" && !s.drained && s.target === "UP";
}

/**
 * Each host that is not running and UP in the load balancer, with its state. A rollout needs every
 * host in rotation: it takes one out at a time, so another one missing would leave nothing (or
 * half the pool) serving, and a stopped host cannot take the rollout's steps.
 */
export function hostsNotInRotation(statuses: HostStatus[]): string[] {
    return statuses.filter((s) => !inRotation(s))
        .map((s) => `${s.host} (container ${s.container}, load balancer ${s.target}${s.drained ? ", drained" : ""})`);
}

/**
 * The hosts each live version is served by, in host order. A host without a live version
 * (stopped) is not counted; a second colour still running beside the live one is not either.
 */
export function servedReleases(statuses: HostStatus[]): Map<string, string[]> {
    const hostsByVersion = new Map<string, string[]>();
    for (const s of statuses) {
        if (s.live?.version) hostsByVersion.set(s.live.version, [...(hostsByVersion.get(s.live.version) ?? []), s.host]);
    }
    return hostsByVersion;
}

/** A warning when the hosts serve different releases (an interrupted or refused rollout left them so); undefined when they agree. */
export function mixedReleases(statuses: HostStatus[]): string | undefined {
    const served = servedReleases(statuses);
    if (served.size < 2) return undefined;
    return `WARNING: mixed releases: ${[...served].map(([version, hosts]) => `${hosts.join(", ")} ${version}`).join("; ")}`;
}
