import * as mysql from "mysql2/promise";

/** How often the watch asks, and how long one answer may take before the server counts as gone. */
export interface WatchTimings {
    everyMs: number;
    answerWithinMs: number;
}

/**
 * A migration's statement may rightly run for minutes (an ALTER of a big table), so it gets no read
 * timeout. But when its server goes away without a goodbye (a failover to another machine, a zone
 * lost: packets dropped, no RST), the statement would wait for TCP to give up, 15 minutes or more.
 * So a second session to the SAME server asks `SELECT 1` every `everyMs` while the work runs; an
 * answer later than `answerWithinMs` means the server is gone: the returned promise rejects with
 * `lost(...)`, and `abandon` runs (it cuts the work's connection, so nothing waits on it any more).
 * A new connection would not do: after a failover, the name leads to the new primary, which answers.
 */
export async function whileServerAnswers<T>(
    watch: mysql.Connection, timings: WatchTimings, work: () => Promise<T>, abandon: () => void, lost: (silentMs: number) => Error,
): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const gone = new Promise<never>((_, reject) => {
        const ask = () => {
            timer = setTimeout(async () => {
                try {
                    await watch.query({ sql: "SELECT 1", timeout: timings.answerWithinMs });
                    if (!stopped) ask();
                } catch {
                    if (stopped) return;
                    // Rejected first: the work's own error, once its connection is cut, must not win the race.
                    reject(lost(timings.answerWithinMs));
                    abandon();
                }
            }, timings.everyMs);
        };
        ask();
    });
    try {
        return await Promise.race([work(), gone]);
    } finally {
        stopped = true;
        clearTimeout(timer);
        gone.catch(() => undefined);
    }
}
