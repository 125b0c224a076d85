import { HostPorts } from "../../components/plan/hostPorts";

/**
 * Faults as data: which loopback packets each fault drops or redirects. faults.ts applies them
 * with iptables, in chains of our own only (nothing else's rules are touched or flushed).
 *
 * | fault | table / chain (jumped from) | what the rule does |
 * | --- | --- | --- |
 * | host cut | filter HA_WEB_FAULTS (INPUT -i lo) | DROP every packet to or from the host's nginx and sshd ports: connects and answers vanish, as on power loss (never a refusal) |
 * | database cut | filter HA_WEB_FAULTS (INPUT -i lo) | DROP every packet to or from the database port (both servers; not their replication port); they keep running |
 * | one server cut (a failover's old primary) | filter HA_WEB_FAULTS (INPUT -i lo) | DROP every packet to the server's address and ports, and every packet from them: not even a FIN or RST reaches a client when the server dies |
 * | slow host | nat HA_WEB_SLOW (OUTPUT) | REDIRECT new connections to the host's nginx port to its delay proxy, except the proxy's own (by uid) |
 *
 * Dropping on INPUT (not OUTPUT) matters: a packet dropped on OUTPUT fails the sender's send call
 * with EPERM at once, which is a fast failure; one dropped on INPUT simply never arrives.
 */
export const dropChain = "HA_WEB_FAULTS";
export const slowChain = "HA_WEB_SLOW";
/** Marks every rule of ours, with the fault's target, so healing finds exactly its own rules. */
export const commentPrefix = "ha-web-fault:";
/** The delay proxies run as this uid, which the redirect skips (else they would redirect to themselves). */
export const delayProxyUid = 64081;

export type FaultKind = "cut" | "slow";

export interface Fault {
    /** A host name, or "database". */
    target: string;
    kind: FaultKind;
}

/** The rule (without the chain) that drops every packet to or from `ports` on loopback. */
export function dropRule(target: string, ports: number[]): string[] {
    return ["-p", "tcp", "-m", "multiport", "--ports", ports.join(","), "-m", "comment", "--comment", `${commentPrefix}${target}`, "-j", "DROP"];
}

export function cutHostRule(layout: HostPorts): string[] {
    return dropRule(layout.name, [layout.nginxPort, layout.sshPort]);
}

/** The two rules (one per direction: the server's side of each connection, on each of its ports) that cut one database server off. */
export function cutServerRules(name: string, address: string, ports: number[]): string[][] {
    const comment = ["-m", "comment", "--comment", `${commentPrefix}${name}`, "-j", "DROP"];
    return [
        ["-p", "tcp", "-d", address, "-m", "multiport", "--dports", ports.join(","), ...comment],
        ["-p", "tcp", "-s", address, "-m", "multiport", "--sports", ports.join(","), ...comment],
    ];
}

/** Where a host's delay proxy listens: beside its nginx port, 100 up (8081 -> 8181). */
export function delayProxyPort(layout: HostPorts): number {
    return layout.nginxPort + 100;
}

export function slowHostRule(layout: HostPorts): string[] {
    return [
        "-p", "tcp", "-d", "127.0.0.1", "--dport", String(layout.nginxPort),
        "-m", "owner", "!", "--uid-owner", String(delayProxyUid),
        "-m", "comment", "--comment", `${commentPrefix}${layout.name}`,
        "-j", "REDIRECT", "--to-ports", String(delayProxyPort(layout)),
    ];
}

/** The jumps into our chains: [table, built-in chain, rule]. */
export const jumps: Array<[table: string, chain: string, rule: string[]]> = [
    ["filter", "INPUT", ["-i", "lo", "-j", dropChain]],
    ["nat", "OUTPUT", ["-j", slowChain]],
];

/** The targets a chain listing (`iptables -S CHAIN`) has rules for, read from our comments. */
export function targetsIn(listing: string): string[] {
    const targets: string[] = [];
    for (const match of listing.matchAll(new RegExp(`--comment "?${commentPrefix}([A-Za-z0-9-]+)"?`, "g"))) {
        targets.push(match[1]);
    }
    return targets;
}

/**
 * What is wrong with the delay in ms of `slow-host <host> <ms>` (the proxy holds each answer that
 * long), or undefined for a whole number from 1 to 60000.
 */
export function delayProblem(text: string): string | undefined {
    const ms = Number(text);
    if (!/^\d+$/.test(text) || ms < 1 || ms > 60_000) {
        return `needs a delay in whole milliseconds from 1 to 60000, got "${text}"`;
    }
    return undefined;
}
