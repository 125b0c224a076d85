import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { inspect, waitFor } from "../stack/containers";
import { outputOnHost } from "../stack/hostAccess";
import { appContainerStates, AppContainerState } from "../stack/hosts";
import { waitForTarget } from "../stack/loadBalancerStack";
import { defaultLoad, startLoad } from "../load/loadGenerator";
import { failed, summarize } from "../load/sample";
import { releasePlans } from "../releases/release";
import { currentRelease } from "../releases/releaseBook";
import { restartHost } from "../stack/stack";
import { hostContainer, hostPorts } from "../stack/stackLayout";
import { runHostPlans } from "../executor/stepExecutor";
import { Drill, expect } from "./drill";
import { hostsServing } from "./loadBalancerAnswers";
import { describeFailures, underLoad } from "./underLoad";

const rebooted = "host-a";
const other = "host-b";

/**
 * Every process of the rebooted host stops within the first seconds (the host container's stop,
 * the app containers' SIGTERM), and comes back by itself; a request the load balancer sends it in
 * between fails, as behind an ALB, until its health check takes the host out (the detection window).
 */
const stopSlackSeconds = 5;

/**
 * The issue's promise for EC2's reboot action: the host serves again by itself. What it proves here:
 * nginx and sshd come back by the host's own start-up, the app by Docker's restart policy, and the
 * host rejoins the load balancer with no host step run (its step logs unchanged, and the executor
 * finds nothing to do: the same machine with the same applied state). Meanwhile the other host, asked
 * directly, fails nothing. What only a real EC2 reboot shows: systemd ordering Docker after /shared,
 * and dockerd restarting (README, "Self-healing hosts").
 */
export const hostReboot: Drill = {
    name: "12 host reboot (host-a restarted: back by itself, no step re-run)",
    async run(result) {
        const machine = await inspect(hostContainer(rebooted), "{{.Id}}");
        const stepLogs = () => outputOnHost(rebooted, `sudo -n ls -l --time-style=+%s ${hostPaths.stepLogDir}`);
        const stepLogsBefore = await stepLogs();
        const appsBefore = await appContainerStates(rebooted);
        const direct = startLoad({ ...defaultLoad, baseUrl: `http://127.0.0.1:${hostPorts(other).nginxPort}`, paths: ["/"] });
        let rebootedAt = 0;
        let backAt = 0;
        // Stopped also when the drill fails half-way, so no load outlives it.
        const samples = await underLoad(result, async () => {
            rebootedAt = Date.now();
            await restartHost(rebooted);
            await waitFor(`${rebooted}'s app containers restarted by their restart policy`, 60, async () =>
                restartedByPolicy(appsBefore, await appContainerStates(rebooted)));
            await waitForTarget(rebooted, "UP", rejoinWindowSeconds() + healthCheck.intervalSeconds + detectionWindowSeconds());
            await waitFor(`${rebooted} answering through the load balancer`, 30, async () => (await hostsServing(4)).has(rebooted));
            backAt = Date.now();
            result.notes.push(`${rebooted} back in rotation ${((backAt - rebootedAt) / 1000).toFixed(1)} s after the reboot began`);
        }).finally(() => direct.stop());
        const otherHost = direct.samples;

        const failures = samples.filter(failed);
        const windowEnd = rebootedAt + (stopSlackSeconds + detectionWindowSeconds()) * 1000;
        const outside = failures.filter((s) => s.sentAt < rebootedAt || s.sentAt > windowEnd);
        result.notes.push(`${failures.length - outside.length} failures through the load balancer while ${rebooted} was away (allowed: its detection window)`);
        expect(result, outside.length === 0, `failures outside ${rebooted}'s detection window: ${describeFailures(outside, rebootedAt)}`);
        const afterwards = samples.filter((s) => s.sentAt >= backAt);
        expect(result, !afterwards.some(failed), `failures after ${rebooted} rejoined: ${describeFailures(afterwards, backAt)}`);

        const otherSummary = summarize(otherHost);
        result.notes.push(`${other} asked directly meanwhile: ${otherSummary.requests} requests, ${otherSummary.failures} failed`);
        expect(result, otherSummary.requests > 0 && otherSummary.failures === 0, `${other} failed ${describeFailures(otherHost, rebootedAt)}`);

        expect(result, (await inspect(hostContainer(rebooted), "{{.Id}}")) === machine, `${rebooted} is a new machine, not a rebooted one`);
        expect(result, (await stepLogs()) === stepLogsBefore, `a host step ran on ${rebooted} during the reboot (its step logs changed)`);
        const outcomes = await runHostPlans(releasePlans(currentRelease()));
        const ran = outcomes.filter((o) => o.result === "ran").map((o) => `${o.host}/${o.step}`);
        expect(result, ran.length === 0, `the executor found steps to run after the reboot: ${ran.join(", ")}`);
    },
};

/** The same containers (no new ones), each started again by the daemon (restart count up). */
function restartedByPolicy(before: AppContainerState[], now: AppContainerState[]): boolean {
    return before.length > 0 && before.every((b) => {
        const current = now.find((n) => n.id === b.id);
        return current !== undefined && current.restarts > b.restarts;
    }) && now.length === before.length;
}
