import {
    detectionWindowSeconds, healthCheck, hostLossWindowSeconds, loadBalancing, rejoinWindowSeconds,
} from "../../components/plan/healthCheck";
import { cutDatabase, cutHost, healDatabase, healHost, slowHost } from "../faults/faults";
import { Algorithm } from "../stack/haproxyConfig";
import { failed, reads, Sample, summarize } from "../load/sample";
import { ensureLoadBalancer, waitForTarget } from "../stack/loadBalancerStack";
import { prepareRelease } from "../releases/release";
import { deploy } from "../stack/stack";
import { hostNames } from "../stack/stackHosts";
import { appHealth, describeHealth } from "../stack/status";
import { appContainerIds } from "./appContainers";
import { Drill, expect, mark } from "./drill";
import { awaitWritesResumed, describeFailures, expectNoFailures, expectWritesThroughOutage, sleep, underLoad } from "./underLoad";

/**
 * Drills of faults as AWS shows them: packets that vanish (a host or the database stops answering)
 * and a host that answers late. Each drill heals its fault in a finally, so a drill that fails
 * half-way leaves no rule behind (drills.ts checks that none is left after the run).
 */

const secondsAfter = (at: number, since: number) => `+${((at - since) / 1000).toFixed(1)} s`;
const joinSeconds = rejoinWindowSeconds() + healthCheck.intervalSeconds;

/**
 * Power loss as the ALB sees it. New requests to the host wait for the connect timeout, so a
 * request sent just before detection fails up to detection + connect timeout after the cut; a
 * request already on a kept-alive connection to the host waits up to the idle timeout.
 */
export const hostCut: Drill = {
    name: "9 host cut (host-a's packets dropped), then healed",
    async run(result) {
        let cutAt = 0;
        let detectedAt = 0;
        let healedAt = 0;
        const samples = await underLoad(result, async () => {
            try {
                cutAt = Date.now();
                mark(result, "cut host-a");
                await cutHost("host-a");
                await waitForTarget("host-a", "DOWN", detectionWindowSeconds() + 5);
                detectedAt = Date.now();
                mark(result, "LB: host-a DOWN");
                // Requests sent just before detection are still waiting on their connect.
                await sleep((loadBalancing.connectSeconds + 1) * 1000);
            } finally {
                healedAt = Date.now();
                mark(result, "heal host-a");
                await healHost("host-a");
            }
            await waitForTarget("host-a", "UP", joinSeconds);
            mark(result, "LB: host-a UP");
        }, ["/"], { requestTimeoutMs: (loadBalancing.idleSeconds + 15) * 1000 });

        const failures = samples.filter(failed);
        const finishedAt = (s: Sample) => s.sentAt + s.latencyMs;
        const outside = failures.filter((s) => s.sentAt > detectedAt || finishedAt(s) < cutAt);
        const unanswered = failures.filter((s) => s.status === 0);
        const withinConnect = failures.filter((s) => s.latencyMs <= (loadBalancing.connectSeconds + 1) * 1000);
        const slowest = Math.max(0, ...failures.map((s) => s.latencyMs));
        result.notes.push(`LB marked host-a DOWN ${secondsAfter(detectedAt, cutAt)} after the cut (detection window ${detectionWindowSeconds()} s)`);
        result.notes.push(`${describeFailures(failures, cutAt)} (sent, after the cut); ` +
            `${withinConnect.length} answered within the ${loadBalancing.connectSeconds} s connect timeout (+1 s), slowest ${(slowest / 1000).toFixed(1)} s`);
        if (failures.length > 0) {
            result.notes.push(`measured window: failed requests sent up to ${secondsAfter(failures.at(-1)!.sentAt, cutAt)}, ` +
                `last answered ${secondsAfter(Math.max(...failures.map(finishedAt)), cutAt)}; formula: detection ${detectionWindowSeconds()} s + ` +
                `connect ${loadBalancing.connectSeconds} s = ${hostLossWindowSeconds()} s for new requests, up to the ${loadBalancing.idleSeconds} s idle timeout in flight`);
        }
        const caught = samples.filter((s) => s.sentAt <= detectedAt && finishedAt(s) >= cutAt);
        const longest = caught.reduce<Sample | undefined>((a, s) => (!a || s.latencyMs > a.latencyMs ? s : a), undefined);
        if (longest) {
            result.notes.push(`longest request caught by the cut: sent ${secondsAfter(longest.sentAt, cutAt)}, ${longest.connection}, ` +
                `${longest.status || longest.error} after ${(longest.latencyMs / 1000).toFixed(1)} s ` +
                `(a request on a kept-alive connection to host-a waits until the heal or the ${loadBalancing.idleSeconds} s idle timeout)`);
        }
        expect(result, outside.length === 0, `failures for requests sent after detection: ${describeFailures(outside, cutAt)}`);
        expect(result, unanswered.length === 0, `failures the load balancer never answered: ${describeFailures(unanswered, cutAt)}`);
        // A failure is a new request that waited out the connect timeout; a request already on a kept-alive
        // connection to host-a waits longer (up to the idle timeout) but the heal comes first and it is answered.
        expect(result, withinConnect.length === failures.length,
            `${failures.length - withinConnect.length} failures took longer than the ${loadBalancing.connectSeconds} s connect timeout (+1 s); slowest ${(slowest / 1000).toFixed(1)} s`);
        const afterHeal = samples.filter((s) => s.sentAt >= healedAt);
        expect(result, !afterHeal.some(failed), `failures after the heal: ${describeFailures(afterHeal, healedAt)}`);
    },
};

const slowMs = 500;
const phaseMs = 15_000;

/** Share of requests slower than the added delay, p99 and mean: what a slow host costs users. */
function slowness(samples: Sample[]): { share: number; p99Ms: number; meanMs: number } {
    const slow = samples.filter((s) => s.latencyMs > slowMs).length;
    const meanMs = samples.reduce((sum, s) => sum + s.latencyMs, 0) / Math.max(1, samples.length);
    return { share: samples.length ? slow / samples.length : 0, p99Ms: summarize(samples).p99Ms, meanMs: Math.round(meanMs * 10) / 10 };
}

/** A host that answers 500 ms late stays healthy; the routing algorithm decides what users see. */
export const slowHostDrill: Drill = {
    name: `10 slow host (host-a +${slowMs} ms): round robin vs ${loadBalancing.algorithm}`,
    async run(result) {
        const phases: Array<{ algorithm: Algorithm; samples: Sample[] }> = [];
        try {
            mark(result, `slow host-a +${slowMs} ms`);
            await slowHost("host-a", slowMs);
            for (const algorithm of ["round_robin", loadBalancing.algorithm] as const) {
                // A new load balancer for each algorithm: its connections to host-a are opened through the delay.
                await ensureLoadBalancer(algorithm);
                await Promise.all(hostNames().map((h) => waitForTarget(h, "UP", joinSeconds)));
                mark(result, `LB ${algorithm}`);
                phases.push({ algorithm, samples: await underLoad(result, () => sleep(phaseMs)) });
            }
        } finally {
            mark(result, "heal host-a");
            await healHost("host-a");
            await ensureLoadBalancer();
            await Promise.all(hostNames().map((h) => waitForTarget(h, "UP", joinSeconds)));
        }
        const all = phases.flatMap((p) => p.samples);
        result.load = summarize(all);
        const measured = phases.map((p) => ({ algorithm: p.algorithm, ...slowness(p.samples), failures: p.samples.filter(failed).length }));
        for (const m of measured) {
            result.notes.push(`${m.algorithm.padEnd(26)} ${(m.share * 100).toFixed(1).padStart(5)} % of ${phaseMs / 1000} s of requests slower than ${slowMs} ms, ` +
                `p99 ${m.p99Ms} ms, mean ${m.meanMs} ms, ${m.failures} failed`);
        }
        expect(result, !all.some(failed), `failures with a slow host: ${describeFailures(all, all[0]?.sentAt ?? 0)}`);
        // Judged by the share of slow requests: while more than 1 % still reach the slow host, both
        // p99s sit just above the delay and differ by noise (printed above, not compared).
        const [roundRobin, chosen] = measured;
        expect(result, chosen !== undefined && chosen.share < roundRobin.share / 2,
            `${loadBalancing.algorithm} did not halve round robin's share of slow requests: ${result.notes.slice(-2).join("; ")}`);
    },
};

/** The app's own bound for /health: every check gives up after 2 s (checkTimeoutMs in app/src/health.ts). */
const healthBoundMs = 2_000;
const outageMs = 60_000;
const releaseDuringOutage = "v4";

/**
 * What the hosts see during a Multi-AZ failover before the endpoint's name moves: the database's
 * packets vanish. Users must not notice; /health must say so quickly; a deploy must be refused.
 */
export const databaseCut: Drill = {
    name: "11 database unreachable at least 60 s (packets dropped), then back",
    async run(result) {
        const containersBefore = await appContainerIds();
        await prepareRelease(releaseDuringOutage, false);
        let cutAt = 0;
        let healedAt = 0;
        const samples = await underLoad(result, async () => {
            try {
                cutAt = Date.now();
                mark(result, "cut database");
                await cutDatabase();
                const during = await appHealth();
                result.notes.push(`/health with the database cut: ${describeHealth(during)}`);
                expect(result, during.every((a) => a.status === 503 && a.ms <= healthBoundMs + 1000),
                    `/health did not answer 503 within ${healthBoundMs} ms (+1 s): ${describeHealth(during)}`);
                mark(result, `deploy ${releaseDuringOutage}`);
                const refusal = await deploy(releaseDuringOutage, false).then(() => "", (error: Error) => error.message);
                mark(result, "deploy refused");
                // The release's migration is the first to need the database, before any host switches.
                const reason = refusal.split("\n").find((line) => /^migrate: .*database/.test(line)) ?? "";
                result.notes.push(`deploy during the outage: ${reason || refusal.split("\n")[0] || "not refused"}`);
                expect(result, reason !== "", "the deploy was not refused by its migration with a line naming the database");
                await sleep(Math.max(0, cutAt + outageMs - Date.now()));
                const late = await appHealth();
                expect(result, late.every((a) => a.status === 503), `/health late in the outage: ${describeHealth(late)}`);
            } finally {
                healedAt = Date.now();
                mark(result, "heal database");
                await healDatabase();
            }
            let health = await appHealth();
            for (let i = 0; i < 30 && !health.every((a) => a.status === 200); i++) {
                await sleep(1000);
                health = await appHealth();
            }
            mark(result, "/health 200");
            result.notes.push(`/health after the heal: ${describeHealth(health)}`);
            expect(result, health.every((a) => a.status === 200),
                `/health did not come back within 30 s of the heal: ${describeHealth(health)}`);
            await awaitWritesResumed(healedAt);
        }, ["/", "/ping"]);

        const gets = reads(samples);
        const before = gets.filter((s) => s.sentAt < cutAt);
        const during = gets.filter((s) => s.sentAt >= cutAt && s.sentAt < healedAt);
        result.notes.push(`/ and /ping: before the cut p50 ${summarize(before).p50Ms} ms p99 ${summarize(before).p99Ms} ms; ` +
            `during it p50 ${summarize(during).p50Ms} ms p99 ${summarize(during).p99Ms} ms (${(healedAt - cutAt) / 1000} s)`);
        expectNoFailures(result, gets, cutAt);
        expectWritesThroughOutage(result, samples, cutAt, healedAt);
        // A read that waited on the database would take at least its 2 s check bound.
        const waited = during.filter((s) => s.latencyMs >= healthBoundMs);
        expect(result, waited.length === 0, `${waited.length} requests to / or /ping took ${healthBoundMs} ms or more during the outage`);
        expect(result, (await appContainerIds()) === containersBefore, "app containers changed: something was restarted");
    },
};
