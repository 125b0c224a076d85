import { detectionWindowSeconds, healthCheck, hostLossWindowSeconds, loadBalancing, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { cutHost, healHost } from "../faults/faults";
import { failed, isWrite, reads, Sample } from "../load/sample";
import { prepareRelease } from "../releases/release";
import { currentPrimary, otherServer, semiSyncState, SemiSyncState } from "../stack/databasePair";
import { Failover, failoverDatabase } from "../stack/databaseFailover";
import { waitForTarget } from "../stack/loadBalancerStack";
import { deploy } from "../stack/stack";
import { database } from "../stack/stackLayout";
import { appContainerIds } from "./appContainers";
import { addColumnMigration, appVariant, queryDatabase, withLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect, FailoverFigures, mark } from "./drill";
import { describeFailures, sleep, underLoad, writeFailureBoundMs } from "./underLoad";

/**
 * Drills of a Multi-AZ failover (local/stack/databaseFailover.ts) under the usual load of reads and
 * writes: alone, with the loss of host-a's zone at the same moment, and with a deploy started in it.
 * Each prints its requests, its failures by the window they fell in, and the time from the cut to
 * the first acknowledged write; underLoad reads every acknowledged write back (0 lost).
 */

/** The drills' failover time: short, so three drills fit their time budget (RDS: 60-120 s, the command's default 90 s). */
const failoverSeconds = 12;
/** After the name moves, a write may still meet a connection attempt made before (to the old address): this long at most. */
const writeRecoveryMs = 5000;
const joinSeconds = rejoinWindowSeconds() + healthCheck.intervalSeconds;

const since = (at: number, from: number) => Math.round((at - from) / 100) / 10;
const finishedAt = (s: Sample) => s.sentAt + s.latencyMs;

/**
 * Each write by the window it was sent in: in flight at the cut, in the failover window (cut to name
 * moved), just after the move (a connection attempt made before it), or later (must all succeed).
 */
function writeWindows(samples: Sample[], failover: Failover) {
    const writes = samples.filter(isWrite);
    return {
        inFlight: writes.filter((s) => s.sentAt < failover.cutAt && finishedAt(s) >= failover.cutAt),
        window: writes.filter((s) => s.sentAt >= failover.cutAt && s.sentAt < failover.nameMovedAt),
        justAfter: writes.filter((s) => s.sentAt >= failover.nameMovedAt && s.sentAt < failover.nameMovedAt + writeRecoveryMs),
        later: writes.filter((s) => s.sentAt >= failover.nameMovedAt + writeRecoveryMs),
        before: writes.filter((s) => finishedAt(s) < failover.cutAt),
    };
}

/**
 * The figures every failover drill prints and checks: write failures by window, first write, semi-sync.
 * Writes sent from `boundFrom` on (the cut, or with a host lost too, its detection: before it a write
 * may wait on a host that no longer answers) must fail within the app's bound, as 503s.
 */
function checkFailover(result: DrillResult, samples: Sample[], failover: Failover, semiSync: { before: SemiSyncState; after: SemiSyncState },
    boundFrom = failover.cutAt): FailoverFigures {
    const cutAt = failover.cutAt;
    const { before: semiSyncBefore, after: semiSyncAfter } = semiSync;
    const windows = writeWindows(samples, failover);
    const firstWrite = samples.filter((s) => isWrite(s) && s.sentAt >= cutAt && !failed(s)).sort((a, b) => finishedAt(a) - finishedAt(b))[0];
    const firstWriteSeconds = firstWrite ? since(finishedAt(firstWrite), cutAt) : Number.NaN;
    result.notes.push(`failover ${failover.oldPrimary} -> ${failover.newPrimary}: standby promoted +${since(failover.promotedAt, cutAt)} s, ` +
        `old primary back as standby +${since(failover.standbyBackAt, cutAt)} s, name moved +${since(failover.nameMovedAt, cutAt)} s (failover time ${failoverSeconds} s)`);
    result.notes.push(firstWrite ? `first acknowledged write answered +${firstWriteSeconds} s after the cut, ` +
        `${since(finishedAt(firstWrite), failover.nameMovedAt)} s after the name moved` : "no write was acknowledged after the cut");
    for (const [name, list] of Object.entries(windows)) {
        result.notes.push(`writes ${name.padEnd(8)}: ${list.length} sent, ${describeFailures(list, cutAt)}`);
    }
    const badFailures = [...windows.inFlight, ...windows.window, ...windows.justAfter]
        .filter((s) => failed(s) && s.sentAt >= boundFrom && (s.status !== 503 || s.latencyMs > writeFailureBoundMs));
    expect(result, badFailures.length === 0, `write failures other than a 503 within ${writeFailureBoundMs} ms: ${describeFailures(badFailures, cutAt)}`);
    expect(result, windows.before.every((s) => !failed(s)), `writes answered before the cut failed: ${describeFailures(windows.before, cutAt)}`);
    expect(result, windows.later.length > 0 && windows.later.every((s) => !failed(s)),
        `writes ${writeRecoveryMs} ms after the name moved: ${windows.later.length} sent, ${describeFailures(windows.later, failover.nameMovedAt)}`);
    expect(result, firstWrite !== undefined && finishedAt(firstWrite) <= failover.nameMovedAt + writeRecoveryMs,
        `no write succeeded within ${writeRecoveryMs} ms of the name moving`);
    // Semi-synchronous all along: the new primary waits for its standby, and never committed without it.
    result.notes.push(`semi-sync on ${failover.newPrimary}: ${semiSyncAfter.on ? "on" : "OFF"}, ${semiSyncAfter.standbys} standby, ` +
        `${semiSyncAfter.commitsWithStandby - semiSyncBefore.commitsWithStandby} commits acknowledged by it, ` +
        `${semiSyncAfter.commitsWithoutStandby - semiSyncBefore.commitsWithoutStandby} without it`);
    expect(result, semiSyncAfter.on && semiSyncAfter.standbys === 1 && semiSyncAfter.commitsWithoutStandby === semiSyncBefore.commitsWithoutStandby,
        `replication fell back to asynchronous or lost its standby: ${JSON.stringify(semiSyncAfter)}`);
    const writeFailures = samples.filter((s) => isWrite(s) && failed(s));
    return {
        failoverSeconds,
        nameMovedSeconds: since(failover.nameMovedAt, cutAt),
        firstWriteSeconds,
        lastFailedWriteSeconds: writeFailures.length ? since(writeFailures.at(-1)!.sentAt, cutAt) : undefined,
        readFailures: reads(samples).filter(failed).length,
        writeFailures: writeFailures.length,
    };
}

/** The primary's standby (the future primary) semi-sync counters, before a failover makes it primary. */
async function semiSyncOfStandby(): Promise<SemiSyncState> {
    return semiSyncState(otherServer(await currentPrimary()));
}

export const databaseFailover: Drill = {
    name: `22 database failover (Multi-AZ: primary cut, standby promoted, name moved after ${failoverSeconds} s)`,
    async run(result) {
        const containersBefore = await appContainerIds();
        const semiSyncBefore = await semiSyncOfStandby();
        let failover: Failover | undefined;
        const samples = await underLoad(result, async () => {
            failover = await failoverDatabase(failoverSeconds, (label) => mark(result, label));
            await sleep(Math.max(0, failover.nameMovedAt + writeRecoveryMs + 3000 - Date.now()));
        }, ["/", "/ping"]);
        const figures = checkFailover(result, samples, failover!, { before: semiSyncBefore, after: await semiSyncState(await currentPrimary()) });
        expect(result, figures.readFailures === 0, `reads that need no database failed: ${describeFailures(reads(samples), failover!.cutAt)}`);
        expect(result, (await appContainerIds()) === containersBefore, "app containers changed: something was restarted");
        result.failover = figures;
    },
};

/**
 * Host-a's zone lost: its packets dropped and the primary (in its zone) failed over, at the same
 * moment. Reads fail only in host-a's detection window (as in drill 9), writes only in the failover
 * window (and a moment after the name moves); then nothing fails.
 */
export const zoneLoss: Drill = {
    name: `23 zone loss (host-a cut and the database failed over at the same moment, name moved after ${failoverSeconds} s)`,
    async run(result) {
        const semiSyncBefore = await semiSyncOfStandby();
        let failover: Failover | undefined;
        let detectedAt = 0;
        let healedAt = 0;
        const samples = await underLoad(result, async () => {
            mark(result, "zone a lost: cut host-a and fail over the database");
            // One after the other (both add rules to our chain), within a fraction of a second.
            await cutHost("host-a");
            const failing = failoverDatabase(failoverSeconds, (label) => mark(result, label));
            try {
                await waitForTarget("host-a", "DOWN", detectionWindowSeconds() + 5);
                detectedAt = Date.now();
                mark(result, "LB: host-a DOWN");
                failover = await failing;
                // Requests sent just before detection may still be waiting on their connect (drill 9).
                await sleep(Math.max(0, failover.cutAt + hostLossWindowSeconds() * 1000 + 1000 - Date.now()));
                await sleep(Math.max(0, failover.nameMovedAt + writeRecoveryMs + 3000 - Date.now()));
            } finally {
                await failing.catch(() => undefined);
                healedAt = Date.now();
                mark(result, "heal host-a");
                await healHost("host-a");
            }
            await waitForTarget("host-a", "UP", joinSeconds);
            mark(result, "LB: host-a UP");
        }, ["/", "/ping"], { requestTimeoutMs: (loadBalancing.idleSeconds + 15) * 1000 });

        const cutAt = failover!.cutAt;
        const figures = checkFailover(result, samples, failover!, { before: semiSyncBefore, after: await semiSyncState(await currentPrimary()) }, detectedAt);
        const failedReads = reads(samples).filter(failed);
        const lateReads = failedReads.filter((s) => s.sentAt > detectedAt || finishedAt(s) < cutAt);
        result.notes.push(`LB marked host-a DOWN +${since(detectedAt, cutAt)} s after the cut (detection window ${detectionWindowSeconds()} s)`);
        result.notes.push(`reads: ${describeFailures(reads(samples), cutAt)} (sent, after the cut); none may be sent after detection`);
        expect(result, lateReads.length === 0, `reads failed outside host-a's detection window: ${describeFailures(lateReads, cutAt)}`);
        const afterHeal = samples.filter((s) => s.sentAt >= healedAt);
        expect(result, !afterHeal.some(failed), `failures after host-a was healed: ${describeFailures(afterHeal, healedAt)}`);
        result.failover = {
            ...figures,
            lastFailedReadSeconds: failedReads.length ? since(failedReads.at(-1)!.sentAt, cutAt) : undefined,
            detectionWindowSeconds: detectionWindowSeconds(),
            hostLossWindowSeconds: hostLossWindowSeconds(),
        };
    },
};

const releaseDuringFailover = "v24-during-failover";
/** The release's own migration: a column no release before it has. */
const failoverMigration = { ...addColumnMigration, "migrations/024_add_notes_source.sql": "ALTER TABLE notes ADD COLUMN source VARCHAR(32) NULL;\n" };
const migrationName = "024_add_notes_source.sql";

/** What the new migration left: the column, and how many times it is recorded as applied. */
async function migrationTrace(): Promise<{ column: boolean; recorded: number }> {
    const columns = await queryDatabase("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'source'", [database.name]);
    const recorded = await queryDatabase(`SELECT COUNT(*) AS n FROM ${database.name}.schema_migrations WHERE name = ?`, [migrationName]);
    return { column: Number((columns as Array<{ n: number }>)[0].n) > 0, recorded: Number((recorded as Array<{ n: number }>)[0].n) };
}

/**
 * A deploy started while the database fails over: its migration (the first step that needs the
 * database, before any host switches) either waits for the new primary or is refused, saying so;
 * never half-applied. Once the name has moved, the same release deploys and migrates exactly once.
 */
export const deployDuringFailover: Drill = {
    name: `24 deploy started during a database failover (migration refused or waits, never half-applied)`,
    async run(result) {
        const settings = appVariant(releaseDuringFailover, failoverMigration);
        try {
            await deployDuring(result, settings);
        } finally {
            // A contract step, so the releases of later drills need not carry this file: its column and record go.
            await queryDatabase(`ALTER TABLE ${database.name}.notes DROP COLUMN IF EXISTS source`);
            await queryDatabase(`DELETE FROM ${database.name}.schema_migrations WHERE name = ?`, [migrationName]);
        }
    },
};

async function deployDuring(result: DrillResult, settings: Record<string, unknown>): Promise<void> {
    await withLocalSettings(releaseDuringFailover, settings, async () => {
        await prepareRelease(releaseDuringFailover, false);
        const semiSyncBefore = await semiSyncOfStandby();
        let failover: Failover | undefined;
        const samples = await underLoad(result, async () => {
            let cut: () => void = () => undefined;
            const wasCut = new Promise<void>((resolve) => { cut = resolve; });
            const failing = failoverDatabase(failoverSeconds, (label) => {
                mark(result, label);
                if (label.endsWith(" cut")) cut();
            });
            try {
                await Promise.race([wasCut, failing]);
                mark(result, `deploy ${releaseDuringFailover}`);
                const refusal = await deploy(releaseDuringFailover, false).then(() => "", (error: Error) => error.message);
                mark(result, refusal ? "deploy refused" : "deploy done");
                const reason = refusal.split("\n").find((line) => /^migrate: .*database/.test(line)) ?? "";
                result.notes.push(`deploy during the failover: ${refusal ? `refused: ${reason || refusal.split("\n")[0]}` : "waited and deployed"}`);
                failover = await failing;
                const trace = await migrationTrace();
                result.notes.push(`after it: column ${trace.column ? "present" : "absent"}, ${migrationName} recorded ${trace.recorded} time(s)`);
                if (refusal) {
                    expect(result, reason !== "", "the deploy was refused, but not by its migration with a line naming the database");
                    expect(result, !trace.column && trace.recorded === 0, `a refused migration left something behind: ${JSON.stringify(trace)}`);
                    mark(result, `deploy ${releaseDuringFailover} again`);
                    await deploy(releaseDuringFailover, false);
                    mark(result, "deploy done");
                }
            } finally {
                await failing.catch(() => undefined);
            }
            const trace = await migrationTrace();
            result.notes.push(`after the failover: column ${trace.column ? "present" : "absent"}, ${migrationName} recorded ${trace.recorded} time(s)`);
            expect(result, trace.column && trace.recorded === 1, `the migration is not applied exactly once: ${JSON.stringify(trace)}`);
            await sleep(Math.max(0, failover!.nameMovedAt + writeRecoveryMs + 3000 - Date.now()));
        }, ["/", "/ping"]);
        const figures = checkFailover(result, samples, failover!, { before: semiSyncBefore, after: await semiSyncState(await currentPrimary()) });
        expect(result, figures.readFailures === 0, `reads that need no database failed: ${describeFailures(reads(samples), failover!.cutAt)}`);
        result.failover = figures;
    });
}
