import * as path from "path";
import { BenchResultFile, DrillsResultFile, rolloutRows, SuiteResultFile } from "../../local/resultFiles";

/**
 * The docs' figures, rendered from the result files in docs/results/: pure functions from a stamped
 * result file to the markdown of one generated block. Nothing here reads a file or a clock, so a
 * test can render the committed result files and compare with the pages.
 */

/** Where and when the figures were produced, added to each result file as it is copied into docs/results/. */
export interface RunStamp {
    /** When the run wrote its result file (ISO 8601, UTC). */
    date: string;
    machine: { cores: number; memoryGb: number; kernel: string };
    /** `git rev-parse --short HEAD` when the results were copied, and whether the tree had uncommitted changes. */
    commit: string;
    dirty: boolean;
}

export type Stamped<T> = T & { run: RunStamp };

export interface Results {
    drills: Stamped<DrillsResultFile>;
    bench: Stamped<BenchResultFile>;
    suite: Stamped<SuiteResultFile>;
}

export type ResultName = keyof Results;

/** Every block a page may hold: the result file it is rendered from, and how. */
export const blocks = {
    "drill-table": { source: "drills", render: (r: Results) => drillTable(r.drills) },
    "drill-notes": { source: "drills", render: (r: Results) => drillNotes(r.drills) },
    "zone-loss-window": { source: "drills", render: (r: Results) => zoneLossWindow(r.drills) },
    "bench-table": { source: "bench", render: (r: Results) => benchTable(r.bench) },
    "bench-summary": { source: "bench", render: (r: Results) => benchSummary(r.bench) },
    "suite-stages": { source: "suite", render: (r: Results) => suiteStages(r.suite) },
    "suite-summary": { source: "suite", render: (r: Results) => suiteSummary(r.suite) },
} satisfies Record<string, { source: ResultName; render: (results: Results) => string }>;

export type BlockName = keyof typeof blocks;

function stampLine(run: RunStamp): string {
    const date = run.date.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
    const tree = run.dirty ? ", with uncommitted changes" : "";
    return `Run of ${date} on ${run.machine.cores} cores, ${run.machine.memoryGb} GB, Linux ${run.machine.kernel}; commit \`${run.commit}\`${tree}.`;
}

export function markdownTable(rows: string[][]): string {
    const [header, ...body] = rows;
    const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}

/** A drill's printed text as markdown shows it: no emphasis, code or HTML made of its characters. */
export function plainText(text: string): string {
    return text.replace(/[\\`*_<>[\]]/g, (c) => `\\${c}`);
}

const orDash = (value: number | undefined) => (value === undefined ? "-" : String(value));

export function drillTable(file: Stamped<DrillsResultFile>): string {
    const rows = file.results.map((r) => [
        r.name, r.passed ? "pass" : "FAIL",
        orDash(r.load?.requests), orDash(r.load?.failures),
        orDash(r.load?.writes.acknowledged), orDash(r.load?.writes.failed), orDash(r.writesLost),
        orDash(r.load?.p50Ms), orDash(r.load?.p99Ms),
        r.rolloutSeconds ? Object.entries(r.rolloutSeconds).map(([host, s]) => `${host} ${s}`).join(", ") : "-",
        String(r.seconds),
    ]);
    return [
        stampLine(file.run),
        "",
        markdownTable([["drill", "result", "requests", "failures", "writes acked", "writes failed", "writes lost", "p50 ms", "p99 ms", "rollout s per host", "s"], ...rows]),
        "",
        `\`drills: ${file.passed} passed, ${file.failed} failed\`; \`npx ha-web up\` ${file.upSeconds.toFixed(0)} s, the whole run ${file.totalSeconds.toFixed(0)} s.`,
    ].join("\n");
}

/** Each drill's printed notes and problems, with a link to its timeline (copied next to the result file). */
export function drillNotes(file: Stamped<DrillsResultFile>): string {
    const sections = file.results.map((r) => {
        const timeline = r.timeline ? ` ([timeline](results/${path.posix.basename(r.timeline)}))` : "";
        const lines = [...r.notes, ...r.problems.map((p) => `PROBLEM: ${p}`)];
        return [`**${plainText(r.name)}**${timeline}`, ...(lines.length ? ["", ...lines.map((l) => `- ${plainText(l)}`)] : [])].join("\n");
    });
    return [stampLine(file.run), ...sections].join("\n\n");
}

/** The zone-loss drill's number: its result carries the failover figures (local/drills/failoverDrills.ts). */
const zoneLossDrill = "23";

/**
 * The README's zone-loss window, from drill 23's figures: when reads and writes failed after the
 * zone was lost, and why, in the words of the host-loss window.
 */
export function zoneLossWindow(file: Stamped<DrillsResultFile>): string {
    const drill = file.results.find((r) => r.name.split(" ")[0] === zoneLossDrill);
    const f = drill?.failover;
    if (!drill || !f) return `The zone-loss drill (${zoneLossDrill}) is not in this result file: run \`npm run test:drills\`, then \`npm run docs:results\`.`;
    const readBound = `only until the load balancer's detection window (${f.detectionWindowSeconds} s) + connect timeout = ${f.hostLossWindowSeconds} s`;
    const last = (seconds: number | undefined) => (seconds === undefined ? "none failed" : `the last failed one sent +${seconds} s after the loss`);
    return [
        `**Zone loss** (drill ${zoneLossDrill}, ${drill.passed ? "passed" : "FAILED"}; host-a's packets dropped and the database failed over at the same moment, failover time ${f.failoverSeconds} s here, 60-120 s on RDS):`,
        f.readFailures === 0
            ? `- reads: none failed (they may fail ${readBound});`
            : `- reads: ${f.readFailures} failed, ${last(f.lastFailedReadSeconds)}: ${readBound};`,
        `- writes: ${f.writeFailures} failed with a 503 within the app's 3 s bound, ${last(f.lastFailedWriteSeconds)}; the endpoint's name moved +${f.nameMovedSeconds} s, the first write was acknowledged +${f.firstWriteSeconds} s;`,
        `- acknowledged writes lost: ${drill.writesLost ?? "-"} of ${drill.load?.writes.acknowledged ?? "-"} (each read back). ${stampLine(file.run)}`,
    ].join("\n");
}

/** The timelines a drill result file links to (file names in docs/results/). */
export function timelineFiles(file: DrillsResultFile): string[] {
    return file.results.flatMap((r) => (r.timeline ? [path.posix.basename(r.timeline)] : []));
}

/** The README's line: the host's serving path against the app alone, and per-host rollout times, from one bench run. */
export function benchSummary(file: Stamped<BenchResultFile>): string {
    if (file.servingPathVsApp === undefined || !file.rollouts) {
        return "The bench result file has no serving-path ratio or rollout times: run `npm run bench`, then `npm run docs:results`.";
    }
    const rollouts = file.rollouts.map((t) => `${t.hostCount} hosts (${Object.entries(t.perHost).map(([host, s]) => `${host} ${s} s`).join(", ")}; `
        + `${t.failures} of ${t.requests} requests failed)`);
    return `The host's serving path (nginx -> app) answers **${file.servingPathVsApp.toFixed(2)}** of the app alone's requests/s; `
        + `a release rolls out, host after host under 32 keep-alive clients, over ${rollouts.join(" and over ")}. ${stampLine(file.run)}`;
}

function benchTable(file: Stamped<BenchResultFile>): string {
    const rows = file.paths.map((p) => [p.path, p.requestsPerSecond.toFixed(0), p.p50Ms.toFixed(2), p.p99Ms.toFixed(2), p.errors]);
    return [
        stampLine(file.run),
        `wrk: ${file.wrk.threads} threads x ${file.wrk.connections} keep-alive connections, ${file.wrk.seconds} s per path.`,
        "",
        markdownTable([["path", "requests/s", "p50 ms", "p99 ms", "errors"], ...rows]),
        "",
        `- app alone / bare Node: **${file.appVsBareNode.toFixed(2)}**`,
        ...(file.servingPathVsApp === undefined ? [] : [`- nginx -> app / app alone (the host's serving path): **${file.servingPathVsApp.toFixed(2)}**`]),
        `- load balancer / app alone: **${file.loadBalancerVsApp.toFixed(2)}**`,
        `- the app's resident memory under load (highest sample): ${file.appRssMb} MB`,
        ...(file.rollouts ? ["", markdownTable(rolloutRows(file.rollouts))] : []),
    ].join("\n");
}

/** "9 min 41 s", "49 s". */
export function duration(seconds: number): string {
    const whole = Math.round(seconds);
    return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

function suiteStages(file: Stamped<SuiteResultFile>): string {
    const rows = file.stages.map((s) => [s.name, String(s.passed), String(s.failed), String(s.skipped), duration(s.seconds)]);
    return [
        stampLine(file.run),
        "",
        markdownTable([["stage", "passed", "failed", "skipped", "time"], ...rows,
            ["all of `npm test`", String(file.passed), String(file.failed), String(file.skipped), duration(file.seconds)]]),
    ].join("\n");
}

/** The stage `npm run test:unit` runs alone, by the name tests/run-all.sh gives it. */
const unitStageName = "unit tests";

export function suiteSummary(file: Stamped<SuiteResultFile>): string {
    const unit = file.stages.find((s) => s.name === unitStageName);
    const unitPart = unit ? ` The unit tests alone: ${unit.passed} passed, ${unit.failed} failed in ${duration(unit.seconds)}.` : "";
    return `\`tests: ${file.passed} passed, ${file.failed} failed, ${file.skipped} skipped\` in ${duration(file.seconds)}.${unitPart} ${stampLine(file.run)}`;
}
