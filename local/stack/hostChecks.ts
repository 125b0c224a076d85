import type { HostStatus } from "./status";

/**
 * Checks on the hosts' status (status.ts reads it): whether a rollout may start, and whether the
 * hosts serve one release.
 */

/**
 * Each host that is not running and UP in the load balancer, with its state and what to run. A
 * rollout needs every host in rotation: it takes one out at a time, so another one missing would
 * leave nothing (or half the pool) serving, and a stopped host cannot take the rollout's steps.
 */
export function hostsNotInRotation(statuses: HostStatus[]): string[] {
    return statuses.filter((s) => s.container !== "running" || s.drained || s.target !== "UP").map((s) => {
        const state = `container ${s.container}, load balancer ${s.target}${s.drained ? ", drained" : ""}`;
        return `${s.host} (${state}): ${remedy(s)}`;
    });
}

function remedy(s: HostStatus): string {
    if (s.container === "absent") return "npm run local:up";
    if (s.container === "stopped") return `npm run local:start-host ${s.host}`;
    if (s.drained) return `npm run local:undrain-host ${s.host}`;
    if (s.target.startsWith("DOWN ")) return "it is coming back; wait until local:status shows it UP";
    return `npm run local:heal-host ${s.host} if it was cut or slowed, else see npm run local:status`;
}

/**
 * A warning when the hosts' live colours serve different versions (an interrupted or refused
 * rollout left them so), with the commands that put every host on one; undefined when they agree.
 * A host without a live version (stopped) is not counted.
 */
export function mixedReleases(statuses: HostStatus[]): string | undefined {
    const hostsByVersion = new Map<string, string[]>();
    for (const s of statuses) {
        if (s.live?.version) hostsByVersion.set(s.live.version, [...(hostsByVersion.get(s.live.version) ?? []), s.host]);
    }
    if (hostsByVersion.size < 2) return undefined;
    const served = [...hostsByVersion].map(([version, hosts]) => `${hosts.join(", ")} ${version}`).join("; ");
    const commands = [...hostsByVersion.keys()].map((version) => `npm run local:rollback ${version}`).join(" or ");
    return `WARNING: mixed releases: ${served}. Put every host on one: ${commands}`;
}
