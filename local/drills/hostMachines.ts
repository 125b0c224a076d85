import * as fs from "fs";
import * as path from "path";
import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { runHostPlans } from "../executor/stepExecutor";
import { cutHost, healHost } from "../faults/faults";
import { defaultLoad, startLoad } from "../load/loadGenerator";
import { failed, summarize } from "../load/sample";
import { currentRelease, releasePlans } from "../releases/release";
import { outputOnHost } from "../stack/hostAccess";
import { replaceMachine } from "../stack/hosts";
import { waitForTarget } from "../stack/loadBalancerStack";
import { currentMachine, machineFiles } from "../stack/machines";
import { mustRun } from "../run";
import { drainHost, startHostAgain, stopHost } from "../stack/stack";
import { hostNames, hostPorts } from "../stack/stackLayout";
import { Drill, DrillResult, expect, mark } from "./drill";
import { expectNoStepRan, stepLogs } from "./hostSteps";
import { hostsServing } from "./probe";
import { describeFailures, expectNoFailures, underLoad } from "./underLoad";

/** The SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` prints it. */
async function fingerprint(publicKey: string): Promise<string> {
    return (await mustRun("ssh-keygen", ["-l", "-f", "-"], { input: `${publicKey}\n` })).split(" ")[1];
}

/** The ED25519 host key sshd serves on the host's address, as any SSH client would be offered it. */
async function servedHostKey(host: string): Promise<string> {
    const address = currentMachine(host)!.sshAddress;
    const line = (await mustRun("ssh-keyscan", ["-t", "ed25519", "-p", String(hostPorts(host).sshPort), address]))
        .split("\n").find((l) => !l.startsWith("#") && l.includes("ssh-ed25519"));
    if (!line) throw new Error(`ssh-keyscan got no ED25519 key from ${host} (${address}:${hostPorts(host).sshPort})`);
    return line.split(" ").slice(1).join(" ");
}

/** The public host key the machine's user data carries (cloud-config `ssh_keys.ed25519_public`). */
function userDataHostKey(host: string): string {
    const text = fs.readFileSync(path.join(machineFiles(host).seedDir, "user-data"), "utf8");
    // hostKeyUserData writes JSON after the `#cloud-config` line (JSON is YAML).
    return (JSON.parse(text.slice(text.indexOf("\n") + 1)) as { ssh_keys: { ed25519_public: string } }).ssh_keys.ed25519_public;
}

/**
 * The units the host plan enables (bootstrap, apply-config): each enabled, and running as its own
 * unit, except ha-web-live, a one-shot at boot (it has run only on a host that booted since).
 */
const planUnits = ["docker.service", "nginx.service", "logrotate.timer"];
const bootUnits = [...planUnits, path.basename(hostPaths.liveUnit)];

/**
 * What EC2's boot leaves behind on a host: cloud-init done, every unit running (the plan's among
 * them), the user data's host key served.
 */
async function expectBootedLikeEc2(result: DrillResult, host: string): Promise<void> {
    const cloudInit = (await outputOnHost(host, "cloud-init status")).trim();
    const system = (await outputOnHost(host, "systemctl is-system-running || true")).trim();
    const states = async (query: string, units: string[]) => (await outputOnHost(host, `systemctl ${query} ${units.join(" ")} || true`)).trim().split("\n");
    const [active, enabled] = [await states("is-active", planUnits), await states("is-enabled", bootUnits)];
    const problems = [
        ...planUnits.filter((_u, i) => active[i] !== "active").map((u) => `${u} ${active[planUnits.indexOf(u)]}`),
        ...bootUnits.filter((_u, i) => enabled[i] !== "enabled").map((u) => `${u} ${enabled[bootUnits.indexOf(u)]}`),
    ];
    expect(result, problems.length === 0, `units of the plan not running or not enabled on ${host}: ${problems.join(", ")}`);
    const [served, pinned] = await Promise.all([fingerprint(await servedHostKey(host)), fingerprint(userDataHostKey(host))]);
    result.notes.push(`${host}: cloud-init ${cloudInit.replace("status: ", "")}, systemd ${system}, host key ${served} (user data: ${pinned})`);
    expect(result, cloudInit === "status: done", `cloud-init on ${host}: ${cloudInit}`);
    expect(result, system === "running", `systemctl is-system-running on ${host}: ${system}`);
    expect(result, served === pinned, `${host} serves host key ${served}, but its user data carries ${pinned}`);
}

export const bootedLikeEc2: Drill = {
    name: "15 hosts booted like EC2 (cloud-init done from the user data, systemd running, the pinned host key)",
    async run(result) {
        for (const host of hostNames) await expectBootedLikeEc2(result, host);
    },
};

const lost = "host-a";

/**
 * Power loss: the host's packets vanish (local:cut-host), then its machine stops hard (every process
 * killed, nothing shuts down) and is powered on again: it boots, and rejoins with no step run.
 */
export const powerLoss: Drill = {
    name: "16 power loss (host-a cut, stopped hard, powered on: rejoins with no step run)",
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
    name: "17 host replacement (host-a drained, replaced by a new machine at a new address, every step run again)",
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
