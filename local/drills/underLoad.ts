import { defaultLoad, LoadOptions, startLoad } from "../load/loadGenerator";
import { failed, isWrite, Sample, summarize } from "../load/sample";
import { database, loadBalancer } from "../stack/stackLayout";
import { readBackWrites } from "../load/writeCheck";
import { queryDatabase } from "./appVariants";
import { DrillResult, expect, recordSamples } from "./drill";

/** Seconds of steady load before and after the action, so a drill sees both sides of it. */
const settleMs = 2000;

/**
 * Runs `action` under continuous load through the load balancer (keep-alive and fresh connections,
 * reads and writes) and records the load summary (and the samples, for its timeline) on the drill.
 * Then reads back every write the app acknowledged from the database: a lost one fails the drill, whatever the drill.
 * Returns every sample for the drill's own checks.
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
    const check = await readBackWrites(running.samples, storedNotes);
    result.writesLost = (result.writesLost ?? 0) + check.lost.length;
    expect(result, check.lost.length === 0, `${check.lost.length} of ${check.checked} acknowledged writes lost: ${check.lost.slice(0, 3).join(" | ")}`);
    expect(result, check.unreadable.length === 0, `${check.unreadable.length} acknowledged writes could not be read back: ${check.unreadable.slice(0, 3).join(" | ")}`);
    return running.samples;
}

/** The notes table's rows with these ids (app/migrations/001_create_notes.sql), from the primary. */
async function storedNotes(ids: number[]): Promise<Map<number, Buffer>> {
    const rows = await queryDatabase(`SELECT id, body FROM \`${database.name}\`.notes WHERE id IN (?)`, [ids]) as Array<{ id: number; body: Buffer }>;
    return new Map(rows.map((row) => [Number(row.id), row.body]));
}

/**
 * The app's promise while its database is away (app/src): a write fails with 503 within this bound,
 * never hangs; its own timeouts are 2 s to connect and 2 s per query. The slack covers the proxies.
 */
export const writeFailureBoundMs = 5000;
/** After the database is back, the app's pool may still hold a dead connection or two. */
const writeRecoveryMs = 5000;

/** Keeps the drill's load going long enough after the database came back (at `backAt`) to see writes succeed again. */
export async function awaitWritesResumed(backAt: number): Promise<void> {
    await sleep(Math.max(0, backAt + writeRecoveryMs + 3000 - Date.now()));
}

/**
 * Writes during a database outage fail fast with a 503 (nothing else, never a hang), and every write
 * sent once the database has been back a moment succeeds, with no restart.
 */
export function expectWritesThroughOutage(result: DrillResult, samples: Sample[], outageAt: number, backAt: number): void {
    const writes = samples.filter(isWrite);
    const during = writes.filter((s) => s.sentAt >= outageAt && s.sentAt < backAt);
    const badFailures = during.filter((s) => failed(s) && (s.status !== 503 || s.latencyMs > writeFailureBoundMs));
    const slowest = Math.max(0, ...during.filter(failed).map((s) => s.latencyMs));
    result.notes.push(`writes during the outage: ${during.filter(failed).length} of ${during.length} failed, the slowest failure in ${Math.round(slowest)} ms`);
    expect(result, badFailures.length === 0,
        `writes during the outage must fail with a 503 within ${writeFailureBoundMs} ms: ${describeFailures(badFailures, outageAt)}, slowest ${Math.round(slowest)} ms`);
    const after = writes.filter((s) => s.sentAt >= backAt + writeRecoveryMs);
    expect(result, after.length > 0 && !after.some(failed), `writes ${writeRecoveryMs} ms after the database was back: ${after.length} sent, ${describeFailures(after, backAt)}`);
}

export function expectNoFailures(result: DrillResult, samples: Sample[], since: number): void {
    expect(result, !samples.some(failed), describeFailures(samples, since));
}

export function describeFailures(samples: Sample[], since: number): string {
    const failures = samples.filter(failed);
    const kinds = new Map<string, number>();
    for (const f of failures) {
        const kind = `${f.method === "POST" ? "write" : `GET ${f.path}`}: ${f.status ? `HTTP ${f.status}` : (f.error ?? "error")}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const first = failures[0] ? ((failures[0].sentAt - since) / 1000).toFixed(1) : "-";
    const last = failures.at(-1) ? ((failures.at(-1)!.sentAt - since) / 1000).toFixed(1) : "-";
    return `${failures.length} failed (${[...kinds].map(([k, n]) => `${n} x ${k}`).join(", ")}), from ${first} s to ${last} s`;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}
