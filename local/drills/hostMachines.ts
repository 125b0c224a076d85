import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { runHostPlans } from "../executor/stepExecutor";
import { cutHost, healHost } from "../faults/faults";
import { defaultLoad, startLoad } from "../load/loadGenerator";
import { failed, summarize } from "../load/sample";
import { releasePlans } from "../releases/release";
import { currentRelease } from "../releases/releaseBook";
import { replaceMachine } from "../stack/hosts";
import { waitForTarget } from "../stack/loadBalancerStack";
import { currentMachine } from "../stack/machines";
import { drainHost, startHostAgain, stopHost } from "../stack/stack";
import { hostPorts } from "../stack/stackHosts";
import { Drill, DrillResult, expect, mark } from "./drill";
import { expectBootedLikeEc2 } from "./hostBoot";
import { expectNoStepRan, stepLogs } from "./stepLogs";
import { hostsServing } from "./loadBalancerAnswers";
import { describeFailures, expectNoFailures, underLoad } from "./underLoad";

const lost = "host-a";

/**
 * Power loss: the host's packets vanish (local:cut-host), then its machine stops hard (every process
 * killed, nothing shuts down) and is powered on again: it boots, and rejoins with no step run.
 */
export const powerLoss: Drill = {
    name: "17 power loss (host-a cut, stopped hard, powered on: rejoins with no step run)",
    async run(result) {
        await convergeFirst(result);
        const logsBefore = await stepLogs(lost);
        let startedAt = 0;
        let backAt = 0;
        const samples = await underLoad(result, async () => {
            mark(result, `cut ${lost}`);
            await cutHost(lost);
            try {
                await stopHost(lost);
                await waitForTarget(lost, "DOWN", detectionWindowSeconds() + 5);
            } finally {
                await healHost(lost);
            }
            startedAt = Date.now();
            mark(result, `power on ${lost}`);
            await startHostAgain(lost);
            backAt = Date.now();
        });
        result.notes.push(`${lost} back in rotation ${((backAt - startedAt) / 1000).toFixed(1)} s after the power came back`);
        // Requests sent while host-a was cut fail as behind an ALB (drill 9 measures that window); none after it rejoined.
        expectNoFailures(result, samples.filter((s) => s.sentAt >= backAt), backAt);
        await expectBootedLikeEc2(result, lost);
        await expectNoStepRan(result, lost, logsBefore);
    },
};

/**
 * Applies the current release's plan before the drill, so "no step ran" and "none on host-b" speak
 * of the drill alone (an earlier drill may leave the hosts at other settings: drill 14 rolls back
 * with its own app's settings in place).
 */
async function convergeFirst(result: DrillResult): Promise<void> {
    const ran = (await runHostPlans(releasePlans(currentRelease()))).filter((o) => o.result === "ran");
    if (ran.length > 0) result.notes.push(`before the drill, applied the current release's plan: ${ran.map((o) => `${o.host}/${o.step}`).join(", ")}`);
}

async function waitForRejoin(host: string): Promise<void> {
    await waitForTarget(host, "UP", rejoinWindowSeconds() + healthCheck.intervalSeconds + detectionWindowSeconds());
}

const replaced = "host-a";
const kept = "host-b";

/**
 * Host replacement (a new AMI, a changed user data): host-a is drained, its machine terminated, and a
 * new one launched from the same user data and key pair at a new address. Every step runs again on
 * it; none on host-b. Under load nothing fails, through the load balancer or at host-b asked directly,
 * and no acknowledged write is lost.
 */
export const hostReplacement: Drill = {
    name: "18 host replacement (host-a drained, replaced by a new machine at a new address, every step run again)",
    async run(result) {
        await convergeFirst(result);
        const before = currentMachine(replaced)!;
        const newAddress = before.sshAddress === "127.0.0.1" ? "127.0.0.2" : "127.0.0.1";
        const direct = startLoad({ ...defaultLoad, baseUrl: `http://127.0.0.1:${hostPorts(kept).nginxPort}`, paths: ["/"] });
        const started = Date.now();
        let outcomes: Awaited<ReturnType<typeof runHostPlans>> = [];
        const samples = await underLoad(result, async () => {
            mark(result, `drain ${replaced}`);
            await drainHost(replaced);
            mark(result, `replace ${replaced}`);
            await replaceMachine(replaced, newAddress);
            outcomes = await runHostPlans(releasePlans(currentRelease()));
            mark(result, `${replaced} configured`);
            await waitForRejoin(replaced);
            await waitForServing(replaced);
        }).finally(() => direct.stop());
        const after = currentMachine(replaced)!;
        result.notes.push(`${replaced}: ${before.instanceId} at ${before.sshAddress} replaced by ${after.instanceId} at ${after.sshAddress}`);
        const ranOn = (host: string) => outcomes.filter((o) => o.host === host && o.result === "ran").map((o) => o.step);
        const planned = releasePlans(currentRelease()).find((p) => p.host === replaced)!.steps.map((s) => s.name);
        const skipped = planned.filter((step) => !ranOn(replaced).includes(step));
        expect(result, skipped.length === 0, `steps not run again on the new ${replaced}: ${skipped.join(", ")}`);
        expect(result, ranOn(kept).length === 0, `steps ran on ${kept}: ${ranOn(kept).join(", ")}`);
        await expectBootedLikeEc2(result, replaced);
        expectNoFailures(result, samples, started);
        const keptSummary = summarize(direct.samples);
        result.notes.push(`${kept} asked directly meanwhile: ${keptSummary.requests} requests, ${keptSummary.failures} failed`);
        expect(result, keptSummary.requests > 0 && !direct.samples.some(failed), `${kept} failed ${describeFailures(direct.samples, started)}`);
    },
};

async function waitForServing(host: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await hostsServing(4)).has(host)) {
        if (Date.now() > deadline) throw new Error(`${host} did not answer through the load balancer within 30 s of rejoining`);
    }
}
