import { hostPaths } from "../../components/plan/hostPaths";
import { defaultLoad, startLoad } from "../load/loadGenerator";
import { failed, Sample } from "../load/sample";
import { releaseImage } from "../releases/release";
import { currentRelease, currentReleaseIfAny, releaseRecord } from "../releases/releaseBook";
import { outputOnHost } from "../stack/hostAccess";
import { deploy } from "../stack/stack";
import { loadBalancer } from "../stack/stackLayout";
import { addColumnMigration, appVariant, withLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect, mark } from "./drill";
import { versionsServed } from "./loadBalancerAnswers";
import { describeFailures, expectNoFailures, sleep, underLoad } from "./underLoad";

/**
 * The canary's drills: a release that answers /health and /ping but is bad on `/` (one request in
 * ten fails, or every one is three times slower) is rolled back by the rollout's first host on its
 * own traffic, and a good release passes. A short window keeps the drills quick; the defaults stay
 * realistic (canarySettings.ts).
 */
const canaryHost = "host-a";
const drillCanary = { canarySeconds: 8, canaryMinRequests: 50 };
const probes = 20;
/** The bad release fails this share of `/`. */
const failingShare = 0.1;

/** What is wrong with a drill release; the app's code has no drill hooks, its image gets a preload. */
type Fault = { kind: "errors"; every: number } | { kind: "slow"; delayMs: number };

/**
 * A preload in the release's image, loaded before the server: it wraps the HTTP server's request
 * event, so only GET / changes, as a bug in one route would. Plain JavaScript: nothing to compile.
 */
function faultPreload(fault: Fault): string {
    return `// A canary drill's fault (local/drills/canaryDrills.ts): ${JSON.stringify(fault)}.
"use strict";
const http = require("http");

const fault = ${JSON.stringify(fault)};
const emit = http.Server.prototype.emit;
let served = 0;
http.Server.prototype.emit = function (event, ...args) {
    const [request, response] = args;
    if (event !== "request" || request.method !== "GET" || request.url !== "/") return emit.call(this, event, ...args);
    served += 1;
    if (fault.kind === "errors" && served % fault.every === 0) {
        response.writeHead(500, { "content-type": "text/plain" }).end("injected failure\\n");
        return true;
    }
    if (fault.kind === "slow") {
        setTimeout(() => emit.call(this, event, ...args), fault.delayMs);
        return true;
    }
    return emit.call(this, event, ...args);
};
`;
}

/** The settings of a good release: the sample app with drill 1's migration (every later release keeps it), a short canary. */
function goodRelease(label: string): Record<string, unknown> {
    return { ...appVariant(label, addColumnMigration), ...drillCanary };
}

/**
 * The settings of a bad release: the release serving now plus the fault, as a thin image on top of
 * it (its Dockerfile only copies the preload and names the new label, so the build runs nothing
 * and needs no network); its migrations are the current release's.
 */
function faultyRelease(label: string, fault: Fault): Record<string, unknown> {
    const dockerfile = [
        "# A canary drill's bad release (local/drills/canaryDrills.ts): the release serving now, with a fault preloaded.",
        `FROM ${releaseImage(currentRelease().label)}`,
        "COPY releaseFault.js /app/dist/releaseFault.js",
        'CMD ["node", "--require=./dist/releaseFault.js", "dist/server.js"]',
        "ARG APP_VERSION=dev",
        "ENV APP_VERSION=${APP_VERSION}",
        "",
    ].join("\n");
    return { ...appVariant(label, { Dockerfile: dockerfile, "releaseFault.js": faultPreload(fault) }), ...drillCanary };
}

/** The lines of a host's last rollout log that hold `text`. */
export async function rolloutLogLines(host: string, text: string): Promise<string[]> {
    const log = await outputOnHost(host, `sudo -n cat ${hostPaths.stepLogDir}/rollout.log`);
    return log.split("\n").filter((l) => l.includes(text));
}

/** p99 of GET / through the load balancer now, in ms: the base a slow release is made three times slower than. */
async function servingP99Ms(): Promise<number> {
    const load = startLoad({ ...defaultLoad, writes: false, baseUrl: loadBalancer.url, paths: ["/"] });
    await sleep(3000);
    const samples = await load.stop();
    const latencies = samples.filter((s) => !failed(s)).map((s) => s.latencyMs).sort((a, b) => a - b);
    return latencies[Math.floor(latencies.length * 0.99)] ?? 0;
}

/** Deploys `label` under load; returns the refusal (empty when it rolled out) and the load's samples. */
async function deployUnderLoad(result: DrillResult, label: string, settings: Record<string, unknown>, writes: boolean): Promise<{ refusal: string; samples: Sample[]; from: number; to: number }> {
    let refusal = "";
    let from = 0;
    let to = 0;
    const samples = await underLoad(result, async () => {
        from = Date.now();
        mark(result, `deploy ${label}`);
        refusal = await withLocalSettings(label, settings, () => deploy(label, false)).then(() => "", (error: Error) => error.message);
        to = Date.now();
        mark(result, refusal ? "refused, rolled back" : "rolled out");
    }, ["/"], { writes });
    return { refusal, samples, from, to };
}

/** A refused release: the refusal names the figure, the old release serves everywhere, the evidence is kept. */
async function expectRolledBack(result: DrillResult, label: string, refusal: string, figure: RegExp, before: Set<string>): Promise<void> {
    const line = refusal.split("\n").find((l) => l.includes("canary refused")) ?? "";
    result.notes.push(`refused: ${line || refusal.split("\n")[0]}`);
    expect(result, figure.test(line), `the refusal does not name the figure (${figure}): ${line || refusal.split("\n")[0]}`);
    expect(result, /the evidence .* is in \/var\/log\/ha-web\/canary\/\S+ on host-a/.test(line), `the refusal does not say where the evidence is: ${line}`);
    const evidence = /is in (\S+) on host-a/.exec(line)?.[1];
    if (evidence) {
        const kept = await outputOnHost(canaryHost, `sudo -n head -c 400 ${evidence}`).catch((error: Error) => `missing: ${error.message}`);
        expect(result, kept.startsWith(`# ${canaryHost}: canary of`), `the evidence file ${evidence}: ${kept.slice(0, 200)}`);
    }
    expect(result, releaseRecord(label)?.refused !== undefined, `releases does not mark ${label} refused`);
    const after = await versionsServed(probes);
    expect(result, [...after].join() === [...before].join(), `served before: ${[...before].join(", ")}; after: ${[...after].join(", ")}`);
}

/** Where a host's last rollout spent its time (ha-web-deploy's `time:` line), as a drill note. */
export async function rolloutTimes(host: string): Promise<string[]> {
    return (await rolloutLogLines(host, "ha-web-deploy: time: ")).map((l) => `${host} ${l.replace(/^.*ha-web-deploy: /, "")}`);
}

export const canaryFailingRoute: Drill = {
    name: "26 canary rolls back a release failing 10% of / (under load)",
    async run(result) {
        const before = await versionsServed(probes);
        const label = "v26-failing";
        const { refusal, samples, from, to } = await deployUnderLoad(result, label, faultyRelease(label, { kind: "errors", every: Math.round(1 / failingShare) }), true);
        await expectRolledBack(result, label, refusal, /5xx share \d+\.\d% on the new colour/, before);
        // At most the bad release's share of the canary's share (half the hosts) of `/` sent during the
        // deploy, with room for the load balancer's uneven split; every failure a 500 on `/`.
        const gets = samples.filter((s) => s.path === "/" && s.sentAt >= from && s.sentAt <= to).length;
        const bound = Math.ceil(gets * failingShare * 0.5 * 1.5);
        const failures = samples.filter(failed);
        result.notes.push(`failed requests: ${failures.length} (bound ${bound}: ${failingShare * 100}% of the canary's half of ${gets} GET / during the deploy, x1.5)`);
        expect(result, failures.length > 0, "no request failed: the faulty release never served");
        expect(result, failures.length <= bound, `${failures.length} failed requests, above the bound ${bound}`);
        const unexpected = failures.filter((s) => s.status !== 500 || s.path !== "/" || s.sentAt < from || s.sentAt > to);
        expect(result, unexpected.length === 0, `failures other than a 500 on / during the deploy: ${describeFailures(unexpected, from)}`);
    },
};

export const canarySlowRelease: Drill = {
    name: "27 canary rolls back a release 3x slower on / (under load)",
    async run(result) {
        const before = await versionsServed(probes);
        const label = "v27-slow";
        // Twice the p99 now on top of it: three times as slow, and beyond the canary's p99 slack (20 ms).
        const delayMs = Math.max(40, Math.round(2 * (await servingP99Ms())));
        result.notes.push(`the slow release holds GET / for ${delayMs} ms more (2x the p99 through the load balancer before it, at least 40 ms)`);
        const started = Date.now();
        const { refusal, samples } = await deployUnderLoad(result, label, faultyRelease(label, { kind: "slow", delayMs }), false);
        await expectRolledBack(result, label, refusal, /p99 latency \d+ ms on the new colour/, before);
        expectNoFailures(result, samples, started);
    },
};

export const canaryGoodRelease: Drill = {
    name: "28 canary passes a good release: 0 failed requests",
    async run(result) {
        const label = "v28-good";
        const started = Date.now();
        const { refusal, samples } = await deployUnderLoad(result, label, goodRelease(label), true);
        expect(result, refusal === "", `the good release was refused: ${refusal.split("\n").slice(0, 3).join(" | ")}`);
        const verdicts = await rolloutLogLines(canaryHost, "canary: ");
        result.notes.push(...verdicts.filter((l) => /not worse|too little/.test(l)).map((l) => l.replace(/^.*canary: /, "canary: ")));
        expect(result, verdicts.some((l) => l.includes(" is not worse than ")), `the canary did not judge the release: ${verdicts.join(" | ")}`);
        result.notes.push(...await rolloutTimes("host-b"));
        expectNoFailures(result, samples, started);
        expect(result, currentReleaseIfAny()?.label === label, `the stack's release is ${currentReleaseIfAny()?.label}`);
        const served = await versionsServed(probes);
        expect(result, served.size === 1 && served.has(label), `expected only ${label}, served: ${[...served].join(", ")}`);
    },
};
