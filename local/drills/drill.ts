import * as fs from "fs";
import * as path from "path";
import { LoadSummary, Sample } from "../load/sample";
import { resultsDir } from "../stack/stackLayout";
import { Mark, marksFrom, perSecond, renderTimeline } from "./timeline";

/** One drill's outcome, a row of the drill table. */
export interface DrillResult {
    name: string;
    passed: boolean;
    /** Every check that failed, in words an operator understands. */
    problems: string[];
    load?: LoadSummary;
    /** Acknowledged writes not readable after the load (every load of the drill): must stay 0. */
    writesLost?: number;
    /** Seconds each host's rollout step took, when the drill deployed. */
    rolloutSeconds?: Record<string, number>;
    notes: string[];
    /** The moments the drill marked (cut, heal, deploy), for its timeline. */
    marks: Mark[];
    /** A database failover drill's figures (failoverDrills.ts), rendered into the README by scripts/results. */
    failover?: FailoverFigures;
    /** The SVG timeline of the drill's load, under .local-stack/results/. */
    timeline?: string;
    seconds: number;
}

/** A failover as a drill measured it (seconds from the cut), for its notes and the README (scripts/results/render.ts). */
export interface FailoverFigures {
    failoverSeconds: number;
    /** From the cut: the name moved, the first acknowledged write answered, the last failed read and write sent. */
    nameMovedSeconds: number;
    firstWriteSeconds: number;
    lastFailedReadSeconds?: number;
    lastFailedWriteSeconds?: number;
    readFailures: number;
    writeFailures: number;
    /** The load balancer's detection window and host-loss window (new requests), in seconds. */
    detectionWindowSeconds?: number;
    hostLossWindowSeconds?: number;
}

export type Drill = { name: string; run: (result: DrillResult) => Promise<void> };

/** Every sample a drill's load recorded, kept out of the JSON results (only the timeline shows them). */
const samplesOf = new WeakMap<DrillResult, Sample[]>();

export function recordSamples(result: DrillResult, samples: Sample[]): void {
    samplesOf.set(result, [...(samplesOf.get(result) ?? []), ...samples]);
}

export function mark(result: DrillResult, label: string): void {
    result.marks.push({ at: Date.now(), label });
}

/** Runs a drill; an exception is a failed check, not a crash of the suite. */
export async function runDrill(drill: Drill): Promise<DrillResult> {
    const result: DrillResult = { name: drill.name, passed: false, problems: [], notes: [], marks: [], seconds: 0 };
    const started = Date.now();
    console.log(`\n=== drill: ${drill.name}`);
    try {
        await drill.run(result);
    } catch (error) {
        result.problems.push((error as Error).message.split("\n").slice(0, 6).join(" | "));
    }
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    result.passed = result.problems.length === 0;
    result.timeline = writeTimeline(result, started);
    console.log(`=== drill: ${drill.name}: ${result.passed ? "PASSED" : `FAILED: ${result.problems.join("; ")}`}`);
    return result;
}

function writeTimeline(result: DrillResult, started: number): string {
    const file = path.join(resultsDir, `drill-${result.name.split(" ")[0]}.svg`);
    const svg = renderTimeline(result.name, perSecond(samplesOf.get(result) ?? [], started), marksFrom(result.marks, started));
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(file, svg);
    return file;
}

export function expect(result: DrillResult, ok: boolean, problem: string): void {
    if (!ok) result.problems.push(problem);
}
