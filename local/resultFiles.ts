import * as path from "path";
import { DrillResult } from "./drills/drill";
import { resultsDir } from "./stack/stackLayout";

/**
 * The result files runs leave in .local-stack/results/ (gitignored), and their shapes:
 * `npm run docs:results` copies them into docs/results/ and renders the docs' figures from them.
 */
export const resultFiles = {
    drills: path.join(resultsDir, "drills.json"),
    bench: path.join(resultsDir, "bench.json"),
    suite: path.join(resultsDir, "suite.json"),
};

/** `npm run test:drills`: every drill's row, and the run's totals. */
export interface DrillsResultFile {
    /** The drill numbers the run was asked for; empty: every drill of the catalog. */
    only: string[];
    detectionWindowSeconds: number;
    upSeconds: number;
    totalSeconds: number;
    passed: number;
    failed: number;
    results: DrillResult[];
}

export interface BenchPath { path: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: string }

/** One release rolled out over `hostCount` hosts, one after another, under 32 keep-alive clients. */
export interface RolloutTiming {
    hostCount: number;
    /** Seconds each host's rollout step took, in rollout order. */
    perHost: Record<string, number>;
    requests: number;
    failures: number;
}

/** `npm run bench`: each hop of the serving path measured with the same wrk load. */
export interface BenchResultFile {
    wrk: { threads: number; connections: number; seconds: number };
    paths: BenchPath[];
    appVsBareNode: number;
    /** nginx -> app (the host's serving path) against the app alone; absent in files from before it was recorded. */
    servingPathVsApp?: number;
    loadBalancerVsApp: number;
    appRssMb: number;
    /** Per-host rollout seconds over 2 and over 4 hosts. */
    rollouts?: RolloutTiming[];
}

export interface SuiteStage { name: string; passed: number; failed: number; skipped: number; seconds: number }

/** `npm test`: each stage's counts and seconds, and the totals. */
export interface SuiteResultFile {
    stages: SuiteStage[];
    passed: number;
    failed: number;
    skipped: number;
    seconds: number;
}

/** The rollout timings as a table's rows (the bench's printout and the docs' table). */
export function rolloutRows(timings: RolloutTiming[]): string[][] {
    return [
        ["hosts", "rollout s per host (one after another, 32 keep-alive clients)", "requests", "failed"],
        ...timings.map((t) => [String(t.hostCount), Object.entries(t.perHost).map(([host, s]) => `${host} ${s}`).join(", "), String(t.requests), String(t.failures)]),
    ];
}
