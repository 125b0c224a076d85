import { detectionWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { outputOnHost } from "../stack/hostAccess";
import { startDatabase, stopDatabase } from "../stack/database";
import { waitForTarget } from "../stack/loadBalancerStack";
import { failed, reads } from "../load/sample";
import { releasePlans } from "../releases/release";
import { currentRelease, currentReleaseIfAny, releaseRecord } from "../releases/releaseBook";
import { deploy, drainHost, startHostAgain, stopHost, undrainHost, up } from "../stack/stack";
import { database } from "../stack/stackLayout";
import { hostNames } from "../stack/stackHosts";
import { appHealth, AppHealth, describeHealth } from "../stack/status";
import { runHostPlans, StepOutcome } from "../executor/stepExecutor";
import { appContainerIds } from "./appContainers";
import { brokenMigration, ownApp } from "./appDrills";
import { compromisedApp } from "./compromisedApp";
import { configChange } from "./configChange";
import { addColumnMigration, appVariant, drillSettings, queryDatabase, useLocalSettings } from "./appVariants";
import { hostileRequests, slowClients } from "./edge";
import { databaseCut, hostCut, slowHostDrill } from "./faultDrills";
import { databaseFailover, deployDuringFailover, zoneLoss } from "./failoverDrills";
import { Drill, DrillResult, expect } from "./drill";
import { diskFill } from "./diskFill";
import { bootedLikeEc2 } from "./hostBoot";
import { canaryFailingRoute, canaryGoodRelease, canarySlowRelease, rolloutTimes } from "./canaryDrills";
import { hostReplacement, powerLoss } from "./hostMachines";
import { releaseByDigest, rollbackThroughCanary } from "./releaseDrills";
import { hostReboot } from "./hostReboot";
import { interruptedDeploys } from "./interruptedDeploys";
import { passwordRotation } from "./passwordRotation";
import { scalingAndBatches } from "./scaleDrills";
import { versionsServed } from "./loadBalancerAnswers";
import { awaitWritesResumed, describeFailures, expectNoFailures, expectWritesThroughOutage, sleep, underLoad } from "./underLoad";

/** The stack's state goes with `down`, so `up` on the drills' new stack labels the app tree v1. */
const firstRelease = "v1";
const goodRelease = "v2";
const brokenRelease = "v3-broken";
const probes = 20;

function rolloutSeconds(outcomes: StepOutcome[]): Record<string, number> {
    return Object.fromEntries(outcomes.filter((o) => o.step === "rollout").map((o) => [o.host, Math.round(o.seconds * 10) / 10]));
}

async function expectOnlyVersion(result: DrillResult, version: string): Promise<void> {
    const served = await versionsServed(probes);
    expect(result, served.size === 1 && served.has(version), `expected only ${version}, served: ${[...served].join(", ")}`);
}

/** Access-log lines each host's nginx has written so far (the drills read what came after). */
async function accessLogLengths(): Promise<Map<string, number>> {
    return new Map(await Promise.all(hostNames().map(async (host) =>
        [host, Number((await outputOnHost(host, `sudo -n wc -l ${hostPaths.nginxAccessLog}`)).split(" ")[0])] as const)));
}

/**
 * Requests nginx could not hand to a running colour since `lengths`: more than one upstream attempt
 * (a retry), or a connect failure (502/504 from nginx itself). With the live port there must be none.
 */
async function upstreamMisses(lengths: Map<string, number>): Promise<string[]> {
    const misses: string[] = [];
    for (const host of hostNames()) {
        const lines = await outputOnHost(host, `sudo -n tail -n +${lengths.get(host)! + 1} ${hostPaths.nginxAccessLog}`);
        for (const line of lines.split("\n").filter((l) => l !== "")) {
            const entry = JSON.parse(line) as { upstream: string; upstream_status: string };
            if (entry.upstream.includes(",") || /^50[24]$/.test(entry.upstream_status)) misses.push(`${host}: ${line}`);
        }
    }
    return misses;
}

async function notesColumns(): Promise<string[]> {
    const rows = await queryDatabase("SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'notes'", [database.name]);
    return (rows as Array<{ name: string }>).map((r) => r.name);
}

const rollingDeploy: Drill = {
    name: "1 rolling deploy v1 -> v2 with a migration that adds a column (32 keep-alive clients, writes)",
    async run(result) {
        await expectOnlyVersion(result, firstRelease);
        expect(result, !(await notesColumns()).includes("language"), "the notes table has the new column before v2's migration ran");
        // From here on the drills' app tree is v2's, as app/ would be once a developer added the migration.
        useLocalSettings(drillSettings, appVariant(goodRelease, addColumnMigration));
        const started = Date.now();
        const logLengths = await accessLogLengths();
        let outcomes: StepOutcome[] = [];
        let deployedAt = 0;
        const samples = await underLoad(result, async () => {
            outcomes = await deploy(goodRelease, false);
            deployedAt = Date.now();
        }, ["/"], { keepAliveClients: 32 });
        const migrated = outcomes.find((o) => o.step === "migrate");
        result.notes.push(migrated?.result === "ran" ? `v2's migration ran in ${migrated.seconds.toFixed(1)} s, before any rollout` : "v2's migration did not run");
        expect(result, migrated?.result === "ran", "the migrate step did not run for v2");
        expect(result, (await notesColumns()).includes("language"), "v2's migration did not add the column");
        result.rolloutSeconds = rolloutSeconds(outcomes);
        result.notes.push(...await rolloutTimes("host-b"));
        expectNoFailures(result, samples, started);
        // Failed requests are reported above; here: did any answer after the deploy come from the old release?
        const stale = samples.filter((s) => s.sentAt > deployedAt && !failed(s) && s.version !== goodRelease);
        expect(result, stale.length === 0, `${stale.length} answers after the deploy were not ${goodRelease}`);
        const misses = await upstreamMisses(logLengths);
        result.notes.push(`nginx upstream attempts that failed or were retried during the deploy: ${misses.length}`);
        expect(result, misses.length === 0, `requests reached a stopped colour: ${misses.slice(0, 3).join(" | ")}`);
        await expectOnlyVersion(result, goodRelease);
    },
};

const brokenReleaseRefused: Drill = {
    name: "2 broken release refused",
    async run(result) {
        const started = Date.now();
        let refusal = "";
        const samples = await underLoad(result, async () => {
            await deploy(brokenRelease, true).catch((error: Error) => {
                refusal = error.message;
                result.notes.push(`refused: ${error.message.split("\n")[0]}`);
            });
        });
        expect(result, refusal !== "", "the broken release was not refused");
        expect(result, /^aborting deployment: /m.test(refusal), "the refusal did not say `aborting deployment: ...`");
        expectNoFailures(result, samples, started);
        expect(result, currentReleaseIfAny()?.label === goodRelease, `the stack's release is ${currentReleaseIfAny()?.label}`);
        expect(result, releaseRecord(brokenRelease)?.refused !== undefined, `releases does not mark ${brokenRelease} refused`);
        await expectOnlyVersion(result, goodRelease);
    },
};

/**
 * Failures are allowed only between the stop and the end of the detection window (interval x
 * unhealthy threshold + timeout, from healthCheck.ts), never after; rejoining must cost nothing.
 */
const hostLoss: Drill = {
    name: "3 host loss (host-a stopped hard)",
    async run(result) {
        const windowMs = detectionWindowSeconds() * 1000;
        let stoppedAt = 0;
        let restartedAt = 0;
        const samples = await underLoad(result, async () => {
            stoppedAt = Date.now();
            await stopHost("host-a");
            await waitForTarget("host-a", "DOWN", detectionWindowSeconds() + 5);
            result.notes.push(`LB marked host-a DOWN ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop`);
            await sleep(windowMs);
            restartedAt = Date.now();
            await startHostAgain("host-a");
            await waitForTarget("host-a", "UP", 30);
            result.notes.push(`host-a back in rotation ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after start`);
        });
        const failures = samples.filter(failed);
        const late = failures.filter((s) => s.sentAt < stoppedAt || s.sentAt > stoppedAt + windowMs);
        const inWindow = failures.length - late.length;
        result.notes.push(`${inWindow} failures inside the ${detectionWindowSeconds()} s detection window`);
        if (failures.length > 0) {
            result.notes.push(`last failure ${((failures.at(-1)!.sentAt - stoppedAt) / 1000).toFixed(1)} s after the stop`);
        }
        expect(result, late.length === 0, `failures outside the detection window: ${describeFailures(late, stoppedAt)}`);
        expectNoFailures(result, samples.filter((s) => s.sentAt >= restartedAt), restartedAt);
    },
};

const plannedMaintenance: Drill = {
    name: "4 planned maintenance (drain, stop, start, undrain)",
    async run(result) {
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            await drainHost("host-a");
            await stopHost("host-a");
            await startHostAgain("host-a");
            await undrainHost("host-a");
        }, ["/", "/ping"]); // a drain fails only the load balancer's own checks, never a user's /ping
        expectNoFailures(result, samples, started);
    },
};

/** The database is not on the load balancer's health path, so an outage must not empty the pool. */
const databaseDown: Drill = {
    name: "5 database down (/ and /ping answer, /health reports it, writes fail fast and come back)",
    async run(result) {
        const started = Date.now();
        let stoppedAt = 0;
        let backAt = 0;
        const samples = await underLoad(result, async () => {
            stoppedAt = Date.now();
            await stopDatabase();
            // Long enough for the health check to fail twice, were it (wrongly) tied to the database.
            await sleep(detectionWindowSeconds() * 1000);
            const health = await appHealth();
            expect(result, health.every((a) => a.status !== 200), `/health answered 200 with the database down: ${describeHealth(health)}`);
            result.notes.push(`/health at each app with the database down: ${describeHealth(health)}`);
            await startDatabase();
            backAt = Date.now();
            await awaitWritesResumed(backAt);
        }, ["/", "/ping"]);
        expectNoFailures(result, reads(samples), started);
        expectWritesThroughOutage(result, samples, stoppedAt, backAt);
        const allOk = (answers: AppHealth[]) => answers.every((a) => a.status === 200);
        let health = await appHealth();
        for (let i = 0; i < 30 && !allOk(health); i++) {
            await sleep(1000);
            health = await appHealth();
        }
        expect(result, allOk(health), `/health did not recover within 30 s of the database coming back: ${describeHealth(health)}`);
    },
};

/** Re-running up changes nothing, and so does forcing every host step: same app containers, no failures. */
const idempotence: Drill = {
    name: "6 re-run up and every host step: no-op",
    async run(result) {
        const started = Date.now();
        const before = await appContainerIds();
        const samples = await underLoad(result, async () => {
            const outcomes = await up();
            const ran = outcomes.filter((o) => o.result === "ran").map((o) => `${o.host}/${o.step}`);
            expect(result, ran.length === 0, `up re-ran steps: ${ran.join(", ")}`);
            await runHostPlans(releasePlans(currentRelease()), { force: true });
        });
        const after = await appContainerIds();
        expect(result, before === after, `app containers changed: before ${before}, after ${after}`);
        expectNoFailures(result, samples, started);
    },
};

export const catalog: Drill[] = [
    rollingDeploy, brokenReleaseRefused, hostLoss, plannedMaintenance, databaseDown, idempotence, hostileRequests, slowClients,
    hostCut, slowHostDrill, databaseCut, hostReboot, brokenMigration, ownApp, passwordRotation, bootedLikeEc2, powerLoss, hostReplacement,
    ...interruptedDeploys, scalingAndBatches, databaseFailover, zoneLoss, deployDuringFailover,
    canaryFailingRoute, canarySlowRelease, canaryGoodRelease, diskFill, compromisedApp, releaseByDigest, rollbackThroughCanary, configChange,
];
