import { StepOutcome } from "../executor/stepExecutor";
import { containerExists } from "../stack/containers";
import { surplusHosts } from "../stack/hostScaling";
import { deploy, up } from "../stack/stack";
import { hostContainer } from "../stack/stackLayout";
import { activeSettingsWith, addColumnMigration, appVariant, withLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect, mark } from "./drill";
import { hostsServing, versionsServed } from "./loadBalancerAnswers";
import { expectNoFailures, underLoad } from "./underLoad";
import { failed } from "../load/sample";

const probes = 24;

interface Busy { host: string; from: number; to: number }

/** When each host's `step` ran (skipped ones left out). */
function busySpans(outcomes: StepOutcome[], step: string): Busy[] {
    return outcomes.filter((o) => o.step === step && o.result === "ran")
        .map((o) => ({ host: o.host, from: o.startedAt, to: o.startedAt + o.seconds * 1000 }));
}

/** The most spans under way at one moment. */
function mostAtOnce(spans: Busy[]): number {
    return Math.max(0, ...spans.map((s) => spans.filter((t) => t.from <= s.from && s.from < t.to).length));
}

/** Fails the drill unless every span in `later` started after every span in `earlier` ended. */
function expectAfter(result: DrillResult, spans: Busy[], later: string[], earlier: string[]): void {
    const of = (hosts: string[]) => spans.filter((s) => hosts.includes(s.host));
    const lastEnd = Math.max(...of(earlier).map((s) => s.to));
    const firstStart = Math.min(...of(later).map((s) => s.from));
    expect(result, firstStart >= lastEnd, `${later.join(", ")} started ${((lastEnd - firstStart) / 1000).toFixed(1)} s before ${earlier.join(", ")} finished`);
}

/** Checks the stack runs exactly `hosts`: each serves through the load balancer, and no other host container is left. */
async function expectServing(result: DrillResult, hosts: string[]): Promise<void> {
    const serving = await hostsServing(probes);
    expect(result, [...serving].sort().join() === hosts.join(), `hosts serving: ${[...serving].sort().join(", ")}; expected ${hosts.join(", ")}`);
    const left = await surplusHosts();
    expect(result, left.length === 0, `host containers left beyond hostCount: ${left.join(", ")}`);
}

const batchRelease = "v29-batches";

/**
 * Scaling out and in, and a rollout in batches, under load. hostCount 4 with batch 2 adds host-c and
 * host-d in one `up`, each as a scale-out from 2 to 3 hosts adds one: a new machine set up while the
 * hosts before it serve (host-c's bootstrap after host-a's, host-d's after host-b's and host-c's,
 * batch after batch as on AWS), in rotation only once its checks pass. One `up` for both rather than
 * one each: the same steps on both hosts, one `up` less under 32 keep-alive clients. A release then
 * rolls out on host-a alone, then host-b and host-c together, then host-d, never more than two at
 * once. Back at hostCount 2 a deploy is refused (host-c and host-d would keep the old release) until
 * `up` retires them, one after the other (4 -> 3 -> 2): each runs its own retire-host (health check
 * failed, the load balancer marks it DOWN, the deregistration delay passes) before its machine is
 * removed, as `pulumi up` deletes a host. No request fails throughout.
 */
export const scalingAndBatches: Drill = {
    name: "29 scale 2 -> 4 hosts, roll out in batches of 2 (host-a alone, then b+c, then d), back to 2 (removed hosts drained first)",
    async run(result) {
        const release = appVariant(batchRelease, { ...addColumnMigration, "release-note.txt": "rolled out in batches\n" });
        const fourHosts = { hostCount: 4, rolloutBatchSize: 2 };
        const started = Date.now();
        let outcomes: StepOutcome[] = [];
        let removedAt = 0;
        const samples = await underLoad(result, async () => {
            await withLocalSettings("four-hosts", activeSettingsWith({ ...fourHosts, ...release }), async () => {
                mark(result, "up: 4 hosts (host-c, then host-d)");
                await up();
                await expectServing(result, ["host-a", "host-b", "host-c", "host-d"]);
                mark(result, `deploy ${batchRelease}`);
                outcomes = await deploy(batchRelease, false);
            });
            // hostCount is 2 again while host-c and host-d still run: a deploy would leave them behind.
            const refusal = await deploy("v29-refused", false).then(() => "", (error: Error) => error.message);
            expect(result, /^deploy refused before touching any host: host-c/.test(refusal), `a deploy with host-c and host-d beyond hostCount: ${refusal || "not refused"}`);
            mark(result, "up: 2 hosts (host-c and host-d retired)");
            await up();
            removedAt = Date.now();
        }, ["/"], { keepAliveClients: 32 });
        const spans = busySpans(outcomes, "rollout");
        result.rolloutSeconds = Object.fromEntries(spans.map((s) => [s.host, Math.round((s.to - s.from) / 100) / 10]));
        expect(result, spans.length === 4, `rollout ran on ${spans.map((s) => s.host).join(", ")}, not on all 4 hosts`);
        if (spans.length === 4) {
            expectAfter(result, spans, ["host-b", "host-c"], ["host-a"]);
            expectAfter(result, spans, ["host-d"], ["host-b", "host-c"]);
            const together = spans.find((s) => s.host === "host-b")!.to > spans.find((s) => s.host === "host-c")!.from;
            expect(result, together, "host-b and host-c (one batch) did not roll out at the same time");
        }
        result.notes.push(`most hosts rolling out at once: ${mostAtOnce(spans)} (batch 2)`);
        expect(result, mostAtOnce(spans) <= fourHosts.rolloutBatchSize, `${mostAtOnce(spans)} hosts rolled out at once, more than the batch`);
        expectNoFailures(result, samples, started);
        for (const host of ["host-c", "host-d"]) {
            expect(result, !(await containerExists(hostContainer(host))), `${host}'s container is still there`);
        }
        const afterRemoval = samples.filter((s) => s.sentAt > removedAt);
        result.notes.push(`${afterRemoval.length} requests sent after host-c and host-d were removed, ${afterRemoval.filter(failed).length} failed`);
        await expectServing(result, ["host-a", "host-b"]);
        const versions = await versionsServed(probes);
        expect(result, versions.size === 1 && versions.has(batchRelease), `served after the drill: ${[...versions].join(", ")}`);
    },
};
