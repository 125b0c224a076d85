import { hostPaths } from "../../components/plan/hostPaths";
import { HostPorts } from "../../components/plan/hostPorts";
import { liveChain } from "../../components/plan/liveSwitch";
import { inspect } from "./containers";
import { mixedReleases } from "./hostChecks";
import { livePortTarget } from "./liveRules";
import { targetStates } from "./loadBalancerStack";
import { dockerOk } from "../run";
import { headerValue, probe } from "../http/probe";
import { database, hostContainer, localHosts, loadBalancer } from "./stackLayout";

export type ContainerState = "running" | "stopped" | "absent";

export interface HostStatus {
    host: string;
    container: ContainerState;
    drained: boolean;
    /** The load balancer's view: UP, DOWN, or a transition such as "UP 1/2". */
    target: string;
    /** Version per colour that answers /ping, e.g. { blue: "v2" }. */
    colours: Record<string, string>;
    /** The colour the host's live port leads to (ha-web-live's kernel rule), and its version when it answers. */
    live?: { colour: string; version?: string };
    /**
     * The status of /health at the live app's own port, as the deploy asks it (nginx does not pass
     * /health on; 0: no answer).
     */
    health: number;
}

/** Hosts, versions, health: what `local:status` prints and the drills check. */
export async function hostStatuses(): Promise<HostStatus[]> {
    const targets = await targetStates().catch(() => new Map<string, string>());
    return Promise.all(localHosts.map(async (layout) => {
        const state = await containerState(hostContainer(layout.name));
        const app = await liveApp(layout);
        return {
            host: layout.name,
            container: state,
            live: app.liveColour === undefined ? undefined : { colour: app.liveColour, version: app.colours[app.liveColour] },
            drained: state === "running" && (await isDrained(layout.name)),
            target: targets.get(layout.name) ?? "unknown",
            colours: app.colours,
            health: (await healthAt(app.port)).status,
        };
    }));
}

export interface AppHealth {
    host: string;
    /** 0: no answer. */
    status: number;
    ms: number;
}

/** /health of every host's live app, timed, asked at the app's own port as the deploy asks it (nginx does not pass it on). */
export async function appHealth(): Promise<AppHealth[]> {
    return Promise.all(localHosts.map(async (layout) => ({ host: layout.name, ...(await healthAt((await liveApp(layout)).port)) })));
}

export function describeHealth(answers: AppHealth[]): string {
    return answers.map((a) => `${a.host} ${a.status || "no answer"} in ${a.ms} ms`).join(", ");
}

/**
 * A host's app colours that answer /ping (colour -> version), the colour its live port leads to
 * (ha-web-live's kernel rule), and the port /health is asked at: the live colour's own, or,
 * without a rule (no deploy yet), the colour that answers.
 */
async function liveApp(layout: HostPorts): Promise<{ colours: Record<string, string>; liveColour?: string; port?: number }> {
    const colours: Record<string, string> = {};
    let answering: number | undefined;
    for (const [colour, port] of [["blue", layout.bluePort], ["green", layout.greenPort]] as const) {
        const version = await versionAt(port);
        if (version) colours[colour] = version;
        if (version) answering ??= port;
    }
    const livePort = await livePortTarget(liveChain(layout.name));
    const liveColour = livePort === layout.bluePort ? "blue" : livePort === layout.greenPort ? "green" : undefined;
    return { colours, liveColour, port: liveColour ? livePort : answering };
}

/** Whether the host's own ha-web-drain flag is set (its container running). */
export async function isDrained(host: string): Promise<boolean> {
    return dockerOk(["exec", hostContainer(host), "test", "-f", hostPaths.drainFlag]);
}

/** Whether the stack's container exists, and runs. */
export async function containerState(name: string): Promise<ContainerState> {
    const running = await inspect(name, "{{.State.Running}}");
    return running === undefined ? "absent" : running === "true" ? "running" : "stopped";
}

/** The status table, one warning line when the hosts serve different releases; one line when nothing exists. */
export async function printStatus(): Promise<void> {
    const statuses = await hostStatuses();
    const others = [
        ["database", await containerState(database.container), `127.0.0.1:${database.port}`],
        ["load balancer", await containerState(loadBalancer.container), loadBalancer.url],
    ];
    if ([...statuses.map((s) => s.container), ...others.map(([, state]) => state)].every((state) => state === "absent")) {
        console.log("the local stack is not up: npm run local:up");
        return;
    }
    const rows = [["host", "container", "load balancer", "drained", "/health", "live (colour version)", "colours answering"]];
    for (const s of statuses) {
        const colours = Object.entries(s.colours).map(([c, v]) => `${c}=${v}`).join(" ") || "none";
        const live = s.live ? `${s.live.colour} ${s.live.version ?? "(no answer)"}` : "-";
        rows.push([s.host, s.container, s.target, s.drained ? "yes" : "no", s.health ? String(s.health) : "-", live, colours]);
    }
    for (const [name, state, where] of others) rows.push([name, state, "-", "-", "-", "-", where]);
    console.log(formatTable(rows));
    const mixed = mixedReleases(statuses);
    if (mixed) console.log(`\n${mixed}`);
}

export function formatTable(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The X-App-Version of whatever answers /ping on 127.0.0.1:port, or undefined. */
async function versionAt(port: number): Promise<string | undefined> {
    const reply = await probe(`http://127.0.0.1:${port}/ping`, { timeoutMs: 3000 });
    return reply.status === 200 ? headerValue(reply, "x-app-version") : undefined;
}

/** /health at 127.0.0.1:port, timed; status 0 when nothing answers there (or no port). */
async function healthAt(port: number | undefined): Promise<{ status: number; ms: number }> {
    if (port === undefined) return { status: 0, ms: 0 };
    // Well above /health's own 2 s bound on each check, so a failing check is a 503, and a slow one
    // is measured, not cut to "no answer".
    const { status, ms } = await probe(`http://127.0.0.1:${port}/health`, { timeoutMs: 5000 });
    return { status, ms };
}
