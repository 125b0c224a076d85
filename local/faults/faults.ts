import * as net from "net";
import * as path from "path";
import { ensureContainer, removeContainer, waitFor } from "../stack/containers";
import { baseImages } from "../stack/images";
import { note } from "../progress";
import { haWeb } from "../commandLine/haWeb";
import { docker, mustRun, run } from "../run";
import { database, DatabaseServer } from "../stack/stackLayout";
import { hostPorts, hostSlots } from "../stack/stackHosts";
import {
    cutHostRule, cutServerRules, delayProxyPort, delayProxyUid, dropChain, dropRule, Fault, jumps, slowChain, slowHostRule, targetsIn,
} from "./faultPlan";

/**
 * The fault commands (`cut-host`, `slow-host`, `heal-host`, `cut-database`, `heal-database`):
 * idempotent, loopback only, and all undone by `removeAllFaults` (called by `down` and by every
 * drill that set one, in a finally). See faultPlan.ts for the rules.
 */
const databaseTarget = "database";

function iptables(table: string, args: string[]): Promise<string> {
    return mustRun("iptables", ["-w", "-t", table, ...args]);
}

async function iptablesOk(table: string, args: string[]): Promise<boolean> {
    return (await run("iptables", ["-w", "-t", table, ...args])).code === 0;
}

function tableOf(chain: string): string {
    return chain === dropChain ? "filter" : "nat";
}

async function listing(chain: string): Promise<string> {
    const result = await run("iptables", ["-w", "-t", tableOf(chain), "-S", chain]);
    return result.code === 0 ? result.stdout : "";
}

/** Every fault in place now, read from the rules themselves (no state file to go stale). */
export async function faultsInPlace(): Promise<Fault[]> {
    const cut = [...new Set(targetsIn(await listing(dropChain)))].map((target): Fault => ({ target, kind: "cut" }));
    const slow = targetsIn(await listing(slowChain)).map((target): Fault => ({ target, kind: "slow" }));
    return [...cut, ...slow];
}

async function ensureChains(): Promise<void> {
    for (const [table, builtIn, jump] of jumps) {
        const chain = jump.at(-1)!;
        if (!(await iptablesOk(table, ["-S", chain]))) await iptables(table, ["-N", chain]);
        if (!(await iptablesOk(table, ["-C", builtIn, ...jump]))) await iptables(table, ["-I", builtIn, "1", ...jump]);
    }
}

async function refuseSecondFault(target: string, command: string): Promise<void> {
    const existing = (await faultsInPlace()).find((f) => f.target === target);
    if (existing) {
        // A database server's cut belongs to a failover, which removes it itself; one left behind goes with down.
        const heal = target === databaseTarget ? haWeb("heal-database")
            : hostSlots.includes(target) ? haWeb("heal-host", target) : haWeb("down");
        throw new Error(`${target} is already ${existing.kind === "cut" ? "cut off (its packets are dropped)" : "slowed"}; ` +
            `${command} changes nothing. Heal it first: ${heal}`);
    }
}

/** Power loss as the load balancer sees it: the host's packets vanish, nothing is refused. */
export async function cutHost(host: string): Promise<void> {
    const layout = hostPorts(host);
    await refuseSecondFault(host, "cut-host");
    await ensureChains();
    await iptables("filter", ["-A", dropChain, ...cutHostRule(layout)]);
    note(`${host}: cut off (packets to and from 127.0.0.1:${layout.nginxPort} and :${layout.sshPort} dropped)`);
}

/** The host answers, `delayMs` late: new connections to its nginx go through a delay proxy. */
export async function slowHost(host: string, delayMs: number): Promise<void> {
    const layout = hostPorts(host);
    await refuseSecondFault(host, "slow-host");
    const port = delayProxyPort(layout);
    await ensureContainer({
        name: delayProxyContainer(host),
        image: baseImages.node,
        runArgs: [
            "--network", "host", "--user", String(delayProxyUid), "--label", "ha-web.fault=slow",
            "-v", `${path.join(__dirname, "delayProxy.js")}:/delay-proxy.js:ro`,
        ],
        command: ["node", "/delay-proxy.js", String(port), String(layout.nginxPort), String(delayMs)],
    });
    await waitFor(`${host}'s delay proxy on 127.0.0.1:${port}`, 15, () => accepts(port));
    await ensureChains();
    await iptables("nat", ["-A", slowChain, ...slowHostRule(layout)]);
    note(`${host}: slowed by ${delayMs} ms (new connections to 127.0.0.1:${layout.nginxPort} go through 127.0.0.1:${port}; ` +
        "connections opened before keep their speed until they close)");
}

/** Removes whichever fault the host has; a host without one is left as it is. */
export async function healHost(host: string): Promise<void> {
    hostPorts(host);
    const removed = await removeFaultsOf(host);
    note(removed.length > 0 ? `${host}: healed (was ${removed.join(", ")})` : `${host}: no fault in place, nothing to heal`);
}

/** What a host sees during a Multi-AZ failover before the endpoint's name moves: the database stops answering. */
export async function cutDatabase(): Promise<void> {
    await refuseSecondFault(databaseTarget, "cut-database");
    await ensureChains();
    await iptables("filter", ["-A", dropChain, ...dropRule(databaseTarget, [database.port])]);
    note(`database: cut off (packets to and from port ${database.port} of both servers dropped; MariaDB keeps running)`);
}

/** One server of the pair gone without a goodbye: a failover's old primary (databaseFailover.ts). */
export async function cutDatabaseServer(server: DatabaseServer): Promise<void> {
    await refuseSecondFault(server.name, "a failover");
    await ensureChains();
    for (const rule of cutServerRules(server.name, server.address, [database.port, database.replicationPort])) await iptables("filter", ["-A", dropChain, ...rule]);
    note(`${server.name}: cut off (packets to and from ${server.address}:${database.port} and :${database.replicationPort} dropped)`);
}

export async function healDatabaseServer(server: DatabaseServer): Promise<void> {
    await removeFaultsOf(server.name);
}

export async function healDatabase(): Promise<void> {
    const removed = await removeFaultsOf(databaseTarget);
    note(removed.length > 0 ? "database: healed" : "database: no fault in place, nothing to heal");
}

async function removeFaultsOf(target: string): Promise<string[]> {
    const removed: string[] = [];
    for (const chain of [dropChain, slowChain]) {
        for (const rule of (await listing(chain)).split("\n")) {
            if (!rule.startsWith(`-A ${chain} `) || !targetsIn(rule).includes(target)) continue;
            await iptables(tableOf(chain), ["-D", ...splitRule(rule).slice(1)]);
            removed.push(chain === dropChain ? "cut" : "slow");
        }
    }
    // A slow-host interrupted between starting its proxy and adding its rule leaves only the proxy.
    if (hostSlots.includes(target) && (await removeContainer(delayProxyContainer(target))) && !removed.includes("slow")) {
        removed.push("a delay proxy without its rule");
    }
    if ((await faultsInPlace()).length === 0) await removeChains();
    return removed;
}

/** Every rule, chain and proxy of ours, gone: `down` and the drills' finally call this. */
export async function removeAllFaults(): Promise<void> {
    for (const host of hostSlots) await removeContainer(delayProxyContainer(host));
    await removeChains();
}

async function removeChains(): Promise<void> {
    for (const [table, builtIn, jump] of jumps) {
        const chain = jump.at(-1)!;
        while (await iptablesOk(table, ["-C", builtIn, ...jump])) await iptables(table, ["-D", builtIn, ...jump]);
        if (await iptablesOk(table, ["-S", chain])) {
            await iptables(table, ["-F", chain]);
            await iptables(table, ["-X", chain]);
        }
    }
}

/** Anything of ours still on this machine: rules, chains, proxies (empty after every run). */
export async function leftoverFaults(): Promise<string[]> {
    const left: string[] = [];
    for (const table of ["filter", "nat"]) {
        const rules = (await mustRun("iptables", ["-w", "-t", table, "-S"])).split("\n");
        left.push(...rules.filter((r) => r.includes(dropChain) || r.includes(slowChain)).map((r) => `iptables -t ${table}: ${r}`));
    }
    const proxies = (await docker(["ps", "-aq", "--filter", "label=ha-web.fault"])).trim();
    if (proxies) left.push(`delay proxy containers: ${proxies.split("\n").join(" ")}`);
    return left;
}

function delayProxyContainer(host: string): string {
    return `ha-web-slow-${host}`;
}

/** `iptables -S` quotes comments; turn a listed rule back into arguments. */
function splitRule(rule: string): string[] {
    return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function accepts(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
        socket.on("error", () => resolve(false));
    });
}
