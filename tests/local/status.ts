import * as http from "http";
import { hostPaths } from "../../components/plan/hostPaths";
import { isRunning } from "./containers";
import { targetStates } from "./loadBalancerStack";
import { dockerOk } from "./run";
import { database, hostContainer, hostLayouts, loadBalancer } from "./stackLayout";

export interface HostStatus {
    host: string;
    container: "running" | "stopped";
    drained: boolean;
    /** The load balancer's view: UP, DOWN, or a transition such as "UP 1/2". */
    target: string;
    /** Version per colour that answers /ping, e.g. { blue: "v2" }. */
    colours: Record<string, string>;
    /**
     * The status of /health at the live app's own port, as the deploy asks it (nginx does not pass
     * /health on; 0: no answer).
     */
    health: number;
}

/** Hosts, versions, health: what `local:status` prints and the drills check. */
export async function hostStatuses(): Promise<HostStatus[]> {
    const targets = await targetStates().catch(() => new Map<string, string>());
    return Promise.all(hostLayouts.map(async (layout) => {
        const container = hostContainer(layout.name);
        const running = await isRunning(container);
        const colours: Record<string, string> = {};
        let livePort: number | undefined;
        for (const [colour, port] of [["blue", layout.bluePort], ["green", layout.greenPort]] as const) {
            const version = await versionAt(port);
            if (version) colours[colour] = version;
            if (version) livePort ??= port;
        }
        return {
            host: layout.name,
            container: running ? "running" : "stopped",
            drained: running && (await dockerOk(["exec", container, "test", "-f", hostPaths.drainFlag])),
            target: targets.get(layout.name) ?? "unknown",
            colours,
            health: livePort === undefined ? 0 : await statusAt(livePort, "/health"),
        };
    }));
}

export async function printStatus(): Promise<void> {
    const rows = [["host", "container", "load balancer", "drained", "/health", "live app (colour=version)"]];
    for (const s of await hostStatuses()) {
        const colours = Object.entries(s.colours).map(([c, v]) => `${c}=${v}`).join(" ") || "none";
        rows.push([s.host, s.container, s.target, s.drained ? "yes" : "no", s.health ? String(s.health) : "-", colours]);
    }
    rows.push(["database", (await isRunning(database.container)) ? "running" : "stopped", "-", "-", "-", `127.0.0.1:${database.port}`]);
    rows.push(["load balancer", (await isRunning(loadBalancer.container)) ? "running" : "stopped", "-", "-", "-", loadBalancer.url]);
    console.log(formatTable(rows));
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
