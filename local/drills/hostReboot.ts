import * as path from "path";
import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { inspect, waitFor } from "../stack/containers";
import { outputOnHost } from "../stack/hostAccess";
import { appContainerStates, AppContainerState } from "../stack/hosts";
import { waitForTarget } from "../stack/loadBalancerStack";
import { defaultLoad, startLoad } from "../load/loadGenerator";
import { failed, summarize } from "../load/sample";
import { restartHost } from "../stack/stack";
import { hostContainer } from "../stack/stackLayout";
import { hostPorts } from "../stack/stackHosts";
import { Drill, expect } from "./drill";
import { hostsServing } from "./loadBalancerAnswers";
import { describeFailures, underLoad } from "./underLoad";
import { expectNoStepRan, stepLogs } from "./stepLogs";

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
 * the host reboots through systemd and boots again; its boot orders Docker after /shared and the
 * live app port before nginx (bootOrder); nginx and sshd come back as enabled units, the app by
 * Docker's restart policy; the host rejoins the load balancer with no host step run. Meanwhile the
 * other host, asked directly, fails nothing. Not shown here: this machine's Docker engine restarting
 * (the hosts share it; docs/local-stand-ins.md).
 */
export const hostReboot: Drill = {
    name: "12 host reboot (host-a restarted: back by itself, no step re-run)",
    async run(result) {
        const machine = await inspect(hostContainer(rebooted), "{{.Id}}");
        const stepLogsBefore = await stepLogs(rebooted);
        const bootBefore = await bootStarted(rebooted);
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
        expect(result, (await bootStarted(rebooted)) !== bootBefore, `${rebooted} did not boot again (systemd's start time is unchanged)`);
        const order = await bootOrder(rebooted);
        result.notes.push(`${rebooted}'s boot: ${order.notes.join("; ")}`);
        for (const problem of order.problems) expect(result, false, problem);
        await expectNoStepRan(result, rebooted, stepLogsBefore);
    },
};

/** When systemd (PID 1) started on the host: a new boot, a new time. */
async function bootStarted(host: string): Promise<string> {
    return (await outputOnHost(host, "systemctl show --property=UserspaceTimestamp --value")).trim();
}

/** One unit's state and start/stop times (monotonic microseconds), as systemd recorded them this boot. */
interface UnitTimes {
    ActiveState: string;
    InactiveExitTimestampMonotonic: number;
    ActiveEnterTimestampMonotonic: number;
    After: string;
    RequiresMountsFor: string;
}

async function unitTimes(host: string, unit: string): Promise<UnitTimes> {
    const out = await outputOnHost(host, `systemctl show ${unit} --property=ActiveState,InactiveExitTimestampMonotonic,ActiveEnterTimestampMonotonic,After,RequiresMountsFor`);
    const fields = Object.fromEntries(out.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    return {
        ActiveState: fields.ActiveState,
        InactiveExitTimestampMonotonic: Number(fields.InactiveExitTimestampMonotonic),
        ActiveEnterTimestampMonotonic: Number(fields.ActiveEnterTimestampMonotonic),
        After: fields.After ?? "",
        RequiresMountsFor: fields.RequiresMountsFor ?? "",
    };
}

/**
 * The boot ordering the host plan asks systemd for, checked against what this boot did:
 * - docker.service requires /shared (mount-shared's drop-in) and started only once shared.mount was
 *   active, so no app container binds the empty folder under the mount point;
 * - ha-web-live.service finished (the live port leads to the live colour) before nginx started;
 * - the system reached `running`: every unit started, none failed.
 */
async function bootOrder(host: string): Promise<{ notes: string[]; problems: string[] }> {
    const mount = hostPaths.sharedMount;
    const mountUnit = `${mount.slice(1).replace(/\//g, "-")}.mount`;
    const liveUnit = path.basename(hostPaths.liveUnit);
    const [shared, docker, live, nginx] = await Promise.all([mountUnit, "docker.service", liveUnit, "nginx.service"].map((u) => unitTimes(host, u)));
    const state = (await outputOnHost(host, "systemctl is-system-running --wait || true")).trim();
    const problems: string[] = [];
    if (!docker.RequiresMountsFor.split(" ").includes(mount) || !docker.After.split(" ").includes(mountUnit)) {
        problems.push(`docker.service on ${host} is not ordered after ${mount} (RequiresMountsFor=${docker.RequiresMountsFor}; After=${docker.After})`);
    }
    if (shared.ActiveState !== "active" || docker.ActiveState !== "active" || docker.InactiveExitTimestampMonotonic < shared.ActiveEnterTimestampMonotonic) {
        problems.push(`docker.service started before ${mountUnit} was active on ${host} (${mountUnit} ${shared.ActiveState} at ${shared.ActiveEnterTimestampMonotonic}, docker ${docker.ActiveState} from ${docker.InactiveExitTimestampMonotonic})`);
    }
    if (live.ActiveState !== "active" || nginx.ActiveState !== "active" || nginx.InactiveExitTimestampMonotonic < live.ActiveEnterTimestampMonotonic) {
        problems.push(`nginx started before ${liveUnit} had restored the live port on ${host} (${liveUnit} ${live.ActiveState}, nginx ${nginx.ActiveState})`);
    }
    if (state !== "running") problems.push(`systemctl is-system-running on ${host} says ${state}, not running`);
    const ms = (t: number) => `${(t / 1000).toFixed(0)} ms`;
    return {
        notes: [
            `${mountUnit} active at ${ms(shared.ActiveEnterTimestampMonotonic)}, docker.service started at ${ms(docker.InactiveExitTimestampMonotonic)}`,
            `${liveUnit} done at ${ms(live.ActiveEnterTimestampMonotonic)}, nginx started at ${ms(nginx.InactiveExitTimestampMonotonic)}`,
            `system ${state}`,
        ],
        problems,
    };
}

/** The same containers (no new ones), each started again by the daemon (restart count up). */
function restartedByPolicy(before: AppContainerState[], now: AppContainerState[]): boolean {
    return before.length > 0 && before.every((b) => {
        const current = now.find((n) => n.id === b.id);
        return current !== undefined && current.restarts > b.restarts;
    }) && now.length === before.length;
}
