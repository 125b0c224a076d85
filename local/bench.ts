import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startApp } from "../tests/support/appProcess";
import { freePort } from "../tests/support/mariadb";
import { nginxTempPaths, startNginxHost, stopProcess, waitForPing } from "../tests/support/nginxHost";
import { isRunning } from "./stack/containers";
import { note } from "./progress";
import { mustRun, run } from "./run";
import { down, up } from "./stack/stack";
import { loadBalancer } from "./stack/stackLayout";
import { formatTable } from "./stack/status";
import { BenchResultFile, resultFiles, rolloutRows } from "./resultFiles";
import { measureRollouts } from "./rolloutBench";

/**
 * `npm run bench`: GET /ping on loopback, each hop of the serving path measured side by side in one
 * run (wrk, 2 threads x 32 keep-alive connections, 10 s each), with the ratios the serving path is
 * judged by: the app against a bare Node server, the load balancer against the app alone; then each
 * host's rollout time over 2 and over 4 hosts (rolloutBench.ts). Prints
 * numbers and writes them to .local-stack/results/bench.json (rendered into docs by `npm run
 * docs:results`); nothing here is asserted. Brings the local stack up if needed, and down again if it did.
 */
const wrk = { threads: 2, connections: 32, seconds: 10 };
const wrkArgs = ["--threads", String(wrk.threads), "--connections", String(wrk.connections), "--duration", `${wrk.seconds}s`, "--latency"];

interface WrkResult { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: string }

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-bench-"));
    const stopAll: Array<() => Promise<unknown>> = [];
    const wasUp = await isRunning(loadBalancer.container);
    try {
        const bare = await startBareNode();
        stopAll.push(() => stopProcess(bare.child));
        const app = await startApp({ APP_VERSION: "bench", SHARED_DIR: work, DB_HOST: "127.0.0.1", DB_PORT: "9", DB_NAME: "b", DB_USER: "b", DB_PASSWORD: "b" });
        stopAll.push(() => app.stop());
        const host = await startNginxHost("127.0.0.1/32");
        stopAll.push(() => host.stop());
        const pongPort = await startNginxPong(work);
        stopAll.push(() => run("nginx", ["-c", path.join(work, "pong.conf"), "-s", "quit"]));
        await up();

        const results: Array<[string, WrkResult]> = [];
        const measure = async (label: string, url: string) => {
            note(`benchmark: ${label} (${wrk.seconds} s) ...`);
            results.push([label, await runWrk(url)]);
        };
        await measure("bare Node pong", `http://127.0.0.1:${bare.port}/ping`);
        const rss = sampleRss(app.child.pid!);
        await measure("the app alone", `${app.baseUrl}/ping`);
        const appRssMb = rss.stop();
        await measure("nginx -> app (the host's site)", `http://127.0.0.1:${host.port}/ping`);
        await measure("through the local load balancer", `${loadBalancer.url}/ping`);
        await measure("nginx answering pong itself", `http://127.0.0.1:${pongPort}/ping`);

        console.log("\n" + formatTable([
            ["path", "requests/s", "p50 ms", "p99 ms", "errors"],
            ...results.map(([label, r]) => [label, r.requestsPerSecond.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.errors]),
        ]));
        const rps = new Map(results.map(([label, r]) => [label, r.requestsPerSecond]));
        const ratio = (a: string, b: string) => (rps.get(a)! / rps.get(b)!).toFixed(2);
        console.log(`\napp alone / bare Node: ${ratio("the app alone", "bare Node pong")}`);
        console.log(`nginx -> app / app alone (the host's serving path): ${ratio("nginx -> app (the host's site)", "the app alone")}`);
        console.log(`load balancer / app alone: ${ratio("through the local load balancer", "the app alone")}`);
        console.log(`the app's RSS under load: ${appRssMb.toFixed(0)} MB (highest of the samples)`);
        const rollouts = await measureRollouts();
        console.log("\n" + formatTable(rolloutRows(rollouts)));
        const file: BenchResultFile = {
            wrk,
            paths: results.map(([label, r]) => ({ path: label, ...r })),
            appVsBareNode: Number(ratio("the app alone", "bare Node pong")),
            servingPathVsApp: Number(ratio("nginx -> app (the host's site)", "the app alone")),
            loadBalancerVsApp: Number(ratio("through the local load balancer", "the app alone")),
            appRssMb: Math.round(appRssMb),
            rollouts,
        };
        fs.mkdirSync(path.dirname(resultFiles.bench), { recursive: true });
        fs.writeFileSync(resultFiles.bench, JSON.stringify(file, null, 2) + "\n");
        console.log(`results in ${resultFiles.bench}`);
    } finally {
        for (const stop of stopAll.reverse()) await stop().catch(() => undefined);
        fs.rmSync(work, { recursive: true, force: true });
        if (!wasUp) await down();
    }
}

/** The floor of any Node server: one handler that answers pong, nothing else. */
async function startBareNode(): Promise<{ child: ChildProcess; port: number }> {
    const port = await freePort();
    const child = spawn("node", ["-e", `require("http").createServer((q, s) => s.end("pong")).listen(${port}, "127.0.0.1")`], { stdio: "ignore" });
    await waitForPing(port);
    return { child, port };
}

/** nginx answering /ping itself: the ceiling of this machine. */
async function startNginxPong(work: string): Promise<number> {
    const port = await freePort();
    fs.writeFileSync(path.join(work, "pong.conf"), [
        "worker_processes auto;", `pid ${work}/pong.pid;`, `error_log ${work}/pong-error.log;`, "events { worker_connections 1024; }",
        "http {", "    access_log off;",
        ...nginxTempPaths(work).map((line) => `    ${line}`),
        `    server { listen 127.0.0.1:${port}; location / { return 200 "pong"; } }`, "}",
    ].join("\n"));
    await mustRun("nginx", ["-c", path.join(work, "pong.conf")]);
    await waitForPing(port);
    return port;
}

/** Samples a process's resident memory every 500 ms; `stop` returns the highest, in MB. */
function sampleRss(pid: number): { stop(): number } {
    let highest = 0;
    const read = () => {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        highest = Math.max(highest, Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
    };
    const timer = setInterval(read, 500);
    return { stop: () => { clearInterval(timer); read(); return highest; } };
}

async function runWrk(url: string): Promise<WrkResult> {
    const out = await mustRun("wrk", [...wrkArgs, url]);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const latency = (percentile: string) => {
        const match = new RegExp(`\\s${percentile}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
        if (!match) throw new Error(`could not read wrk's ${percentile}th percentile:\n${out}`);
        return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as "us" | "ms" | "s"];
    };
    if (!rps) throw new Error(`could not read wrk's output:\n${out}`);
    const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: [^\n]+/.exec(out)?.[0] ?? "none";
    return { requestsPerSecond: Number(rps[1]), p50Ms: latency("50"), p99Ms: latency("99"), errors };
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
});
