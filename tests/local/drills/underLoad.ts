import { defaultLoad, LoadOptions, startLoad } from "../load/loadGenerator";
import { failed, Sample, summarize } from "../load/sample";
import { loadBalancer } from "../stackLayout";
import { DrillResult, recordSamples } from "./drill";

/** Seconds of steady load before and after the action, so a drill sees both sides of it. */
const settleMs = 2000;

/**
 * Runs `action` under continuous load through the load balancer (keep-alive and fresh connections)
 * and records the load summary (and the samples, for its timeline) on the drill. Returns every
 * sample for the drill's own checks.
 */
export async function underLoad(
    result: DrillResult, action: () => Promise<void>, paths = ["/"], options: Partial<LoadOptions> = {},
): Promise<Sample[]> {
    const running = startLoad({ ...defaultLoad, ...options, baseUrl: loadBalancer.url, paths });
    try {
        await sleep(settleMs);
        await action();
        await sleep(settleMs);
    } finally {
        const samples = await running.stop();
        result.load = summarize(samples);
        recordSamples(result, samples);
    }
    return running.samples;
}

export function describeFailures(samples: Sample[], since: number): string {
    const failures = samples.filter(failed);
    const kinds = new Map<string, number>();
    for (const f of failures) {
        const kind = f.status ? `HTTP ${f.status}` : (f.error ?? "error");
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const first = failures[0] ? ((failures[0].sentAt - since) / 1000).toFixed(1) : "-";
    const last = failures.at(-1) ? ((failures.at(-1)!.sentAt - since) / 1000).toFixed(1) : "-";
    return `${failures.length} failed (${[...kinds].map(([k, n]) => `${n} x ${k}`).join(", ")}), from ${first} s to ${last} s`;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}
