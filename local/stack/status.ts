import * as http from "http";
import { hostPaths } from "../../components/plan/hostPaths";
import { liveChain } from "../../components/plan/liveSwitch";
import { readLocalSettings } from "../releases/localSettings";
import { readBook } from "../releases/releaseBook";
import { healthPathOf } from "../releases/releases";
import { inspect } from "./containers";
import { livePortTarget } from "./liveRules";
import { targetStates } from "./loadBalancerStack";
import { formatNextStep, StackState, upStep } from "./nextStep";
import { statusNotes } from "./stateReports";
import { dockerOk } from "../run";
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
    return Promise.all(localHosts.map(async (layout) => {
        const container = hostContainer(layout.name);
        const state = await containerState(container);
        const running = state === "running";
        const colours: Record<string, string> = {};
        let answering: number | undefined;
        for (const [colour, port] of [["blue", layout.bluePort], ["green", layout.greenPort]] as const) {
            const version = await versionAt(port);
            if (version) colours[colour] = version;
            if (version) answering ??= port;
        }
        const livePort = await livePortTarget(liveChain(layout.name));
        const liveColour = livePort === layout.bluePort ? "blue" : livePort === layout.greenPort ? "green" : undefined;
        // The redirect leads to the live colour's own port; without a rule (no deploy yet), the colour that answers.
        const healthPort = liveColour ? livePort : answering;
        const healthPath = healthPathOf(book.releases, book.current, liveColour && colours[liveColour]) ?? readLocalSettings().app.healthPath;
        return {
            host: layout.name,
            container: state,
            live: liveColour === undefined ? undefined : { colour: liveColour, version: colours[liveColour] },
            drained: running && (await isDrained(layout.name)),
            target: targets.get(layout.name) ?? "unknown",
            colours,
            healthPath,
            health: healthPort === undefined ? 0 : await statusAt(healthPort, healthPath),
        };
    }));
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
        ["database", await containerState(database.container), `127.0.0.1:${database.port}`],
        ["load balancer", await containerState(loadBalancer.container), loadBalancer.url],
    ];
    const hostStates = await Promise.all(localHosts.map((layout) => containerState(hostContainer(layout.name))));
    if ([...hostStates, ...others.map(([, state]) => state)].every((state) => state === "absent")) {
        console.log(formatNextStep(upStep));
        return;
    }
    const state = await stackState();
    const rows = [["host", "container", "load balancer", "drained", "health (path)", "live (colour version)", "colours answering"]];
    for (const s of state.hosts) {
        const colours = Object.entries(s.colours).map(([c, v]) => `${c}=${v}`).join(" ") || "none";
        const live = s.live ? `${s.live.colour} ${s.live.version ?? "(no answer)"}` : "-";
        rows.push([s.host, s.container, s.target, s.drained ? "yes" : "no", `${s.health || "-"} (${s.healthPath})`, live, colours]);
    }
    for (const [name, containerState, where] of others) rows.push([name, containerState, "-", "-", "-", "-", where]);
    console.log(formatTable(rows));
    const notes = statusNotes(state);
    if (notes.length > 0) console.log(`\n${notes.join("\n")}`);
}

export function formatTable(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The X-App-Version of whatever answers /ping on 127.0.0.1:port, or undefined. */
async function versionAt(port: number): Promise<string | undefined> {
    const response = await getLocal(port, "/ping");
    return response?.status === 200 ? response.version : undefined;
}

async function statusAt(port: number, pathname: string): Promise<number> {
    return (await getLocal(port, pathname))?.status ?? 0;
}

function getLocal(port: number, pathname: string): Promise<{ status: number; version?: string } | undefined> {
    return new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: pathname, agent: false }, (res) => {
            res.resume();
            const version = res.headers["x-app-version"];
            resolve({ status: res.statusCode ?? 0, version: typeof version === "string" ? version : undefined });
        });
        // Above /health's own 2 s bound on each check, so a failing check is a 503, not "no answer".
        req.setTimeout(3000, () => req.destroy());
        req.on("error", () => resolve(undefined));
    });
}
