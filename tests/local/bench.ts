import * as path from "path";
import { isRunning, removeContainer } from "./containers";
import { canConnect } from "./hosts";
import { imageContext } from "./images";
import { note } from "./progress";
import { docker, mustRun } from "./run";
import { down, up } from "./stack";
import { hostImage, hostNames, loadBalancer } from "./stackLayout";
import { formatTable } from "./status";

/**
 * `npm run bench`: /ping requests per second and p99 through the local load balancer (haproxy ->
 * nginx -> app) next to this machine's ceiling (the same nginx answering `pong` itself), as a ratio.
 * Bounded wrk runs against 127.0.0.1 only. Brings the stack up if needed, and down again if it did.
 */
const pongContainer = "ha-web-bench-pong";
const pongUrl = "http://127.0.0.1:8099/ping";
const wrkArgs = ["--threads", "2", "--connections", "32", "--duration", "10s", "--latency"];

interface WrkResult { requestsPerSecond: number; p99Ms: number; errors: string }

async function main(): Promise<void> {
    const wasUp = await isRunning(loadBalancer.container);
    await up();
    try {
        await startPong();
        note("benchmark: load balancer /ping (10 s) ...");
        const lb = await wrk(`${loadBalancer.url}/ping`);
        note("benchmark: nginx pong ceiling (10 s) ...");
        const ceiling = await wrk(pongUrl);
        console.log("\n" + formatTable([
            ["target", "requests/s", "p99 ms", "errors"],
            ["load balancer /ping", lb.requestsPerSecond.toFixed(0), lb.p99Ms.toFixed(2), lb.errors],
            ["nginx pong (ceiling)", ceiling.requestsPerSecond.toFixed(0), ceiling.p99Ms.toFixed(2), ceiling.errors],
        ]));
        console.log(`\nratio: ${(lb.requestsPerSecond / ceiling.requestsPerSecond).toFixed(3)} of the ceiling's requests/s, ` +
            `p99 x${(lb.p99Ms / ceiling.p99Ms).toFixed(1)}`);
    } finally {
        await removeContainer(pongContainer);
        if (!wasUp) await down();
    }
}

async function startPong(): Promise<void> {
    await removeContainer(pongContainer);
    const config = path.join(imageContext("bench"), "pong.conf");
    await docker(["run", "-d", "--name", pongContainer, "--network", "host", "-v", `${config}:/etc/ha-web-bench/pong.conf:ro`,
        "--entrypoint", "nginx", hostImage(hostNames[0]), "-c", "/etc/ha-web-bench/pong.conf", "-g", "daemon off;"]);
    for (let i = 0; i < 40 && !(await canConnect(8099)); i++) await new Promise((r) => setTimeout(r, 250));
}

async function wrk(url: string): Promise<WrkResult> {
    const out = await mustRun("wrk", [...wrkArgs, url]);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
    if (!rps || !p99) throw new Error(`could not read wrk's output:\n${out}`);
    const scale = { us: 0.001, ms: 1, s: 1000 }[p99[2] as "us" | "ms" | "s"];
    const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: [^\n]+/.exec(out)?.[0] ?? "none";
    return { requestsPerSecond: Number(rps[1]), p99Ms: Number(p99[1]) * scale, errors };
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
