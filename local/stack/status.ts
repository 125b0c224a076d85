import { hostPaths } from "../../components/plan/hostPaths";
import { HostPorts } from "../../components/plan/hostPorts";
import { liveChain } from "../../components/plan/liveSwitch";
import { readLocalSettings } from "../releases/localSettings";
import { readBook, ReleaseBook } from "../releases/releaseBook";
import { healthPathOf } from "../releases/releases";
import { diskAlarmLines } from "./cloudWatch";
import { inspect } from "./containers";
import { livePortTarget } from "./liveRules";
import { targetStates } from "./loadBalancerStack";
import { formatNextStep, StackState, upStep } from "./nextStep";
import { describeColours, describeLive, statusNotes } from "./stateReports";
import { dockerOk } from "../run";
import { headerValue, probe } from "../http/probe";
import { databaseRows } from "./databaseStatus";
import { hostContainer, loadBalancer } from "./stackLayout";
import { localHosts } from "./stackHosts";

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
    /** The path the live app answers its health on: the one its release was deployed with (appHealthPath). */
    healthPath: string;
    /**
     * The status of `healthPath` at the live app's own port, as the deploy asks it (nginx does not
     * pass it on; 0: no answer).
     */
    health: number;
}

/** Hosts, versions, health: what `status` prints and the drills check. */
export async function hostStatuses(): Promise<HostStatus[]> {
    const book = readBook();
    const targets = await targetStates().catch(() => new Map<string, string>());
    return Promise.all(localHosts().map(async (layout) => {
        const state = await containerState(hostContainer(layout.name));
        const app = await liveApp(layout);
        const healthPath = healthPathFor(book, app);
        return {
            host: layout.name,
            container: state,
            live: app.liveColour === undefined ? undefined : { colour: app.liveColour, version: app.colours[app.liveColour] },
            drained: state === "running" && (await isDrained(layout.name)),
            target: targets.get(layout.name) ?? "unknown",
            colours: app.colours,
            healthPath,
            health: (await healthAt(app.port, healthPath)).status,
        };
    }));
}

export interface AppHealth {
    host: string;
    /** 0: no answer. */
    status: number;
    ms: number;
}

/**
 * The health path of every host's live app, timed, asked at the app's own port as the deploy asks
 * it (nginx does not pass it on).
 */
export async function appHealth(): Promise<AppHealth[]> {
    const book = readBook();
    return Promise.all(localHosts().map(async (layout) => {
        const app = await liveApp(layout);
        return { host: layout.name, ...(await healthAt(app.port, healthPathFor(book, app))) };
    }));
}

export function describeHealth(answers: AppHealth[]): string {
    return answers.map((a) => `${a.host} ${a.status || "no answer"} in ${a.ms} ms`).join(", ");
}

/**
 * The path a host's live app answers its health on: the one its release was deployed with, else
 * the current release's, else local.settings.json's appHealthPath.
 */
function healthPathFor(book: ReleaseBook, app: LiveApp): string {
    const served = app.liveColour && app.colours[app.liveColour];
    return healthPathOf(book.releases, book.current, served) ?? readLocalSettings().app.healthPath;
}

interface LiveApp {
    colours: Record<string, string>;
    liveColour?: string;
    port?: number;
}

/**
 * A host's app colours that answer /ping (colour -> version), the colour its live port leads to
 * (ha-web-live's kernel rule), and the port its health is asked at: the live colour's own, or,
 * without a rule (no deploy yet), the colour that answers.
 */
async function liveApp(layout: HostPorts): Promise<LiveApp> {
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

/** What the next step is decided from (nextStep.ts): whether the stack runs, its hosts, its current release. */
export async function stackState(): Promise<StackState> {
    return { up: (await containerState(loadBalancer.container)) === "running", hosts: await hostStatuses(), current: readBook().current };
}

/**
 * The status table, a warning line when the hosts serve different releases, and the next step
 * when one is due; one line when nothing exists.
 */
export async function printStatus(): Promise<void> {
    const others = [
        ...await databaseRows(containerState),
        ["load balancer", await containerState(loadBalancer.container), loadBalancer.url],
    ];
    const hostStates = await Promise.all(localHosts().map((layout) => containerState(hostContainer(layout.name))));
    if ([...hostStates, ...others.map(([, state]) => state)].every((state) => state === "absent")) {
        console.log(formatNextStep(upStep));
        return;
    }
    const state = await stackState();
    const rows = [["host", "container", "load balancer", "drained", "health (path)", "live (colour version)", "colours answering"]];
    for (const s of state.hosts) {
        rows.push([s.host, s.container, s.target, s.drained ? "yes" : "no", `${s.health || "-"} (${s.healthPath})`,
            describeLive(s) ?? "-", describeColours(s) || "none"]);
    }
    for (const [name, containerState, where] of others) rows.push([name, containerState, "-", "-", "-", "-", where]);
    console.log(formatTable(rows));
    const notes = statusNotes(state);
    if (notes.length > 0) console.log(`\n${notes.join("\n")}`);
    console.log(`\n${diskAlarmLines(localHosts().map((h) => h.name)).join("\n")}`);
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

/** The health path at 127.0.0.1:port, timed; status 0 when nothing answers there (or no port). */
async function healthAt(port: number | undefined, healthPath: string): Promise<{ status: number; ms: number }> {
    if (port === undefined) return { status: 0, ms: 0 };
    // Well above the sample's own 2 s bound on each check, so a failing check is a 503, and a slow
    // one is measured, not cut to "no answer".
    const { status, ms } = await probe(`http://127.0.0.1:${port}${healthPath}`, { timeoutMs: 5000 });
    return { status, ms };
}
