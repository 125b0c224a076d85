import * as fs from "fs";
import * as path from "path";
import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { isRunning, removeContainer } from "./containers";
import { cloudWatchStandIn, ensureCloudWatch, removeCloudWatch } from "./cloudWatch";
import { ensureDatabase, removeDatabase } from "./database";
import { removeAllFaults } from "../faults/faults";
import { buildAmiImage } from "./amiImage";
import { runOnHost } from "./hostAccess";
import { ensureHost, rebootHost, removeHost, startHost, stopHostHard } from "./hosts";
import { removeMetadataGuard } from "./metadataStandIn";
import { removeAppNetwork } from "./appNetworkRules";
import { ensureBaseImages } from "./images";
import { ensureLoadBalancer, waitForTarget } from "./loadBalancerStack";
import { hostsNotInRotation } from "./hostChecks";
import { stoppedRolloutReport } from "./stateReports";
import { formatNextStep, nextStep, upStep } from "./nextStep";
import { haWeb } from "../commandLine/haWeb";
import { interruptible } from "../executor/interrupt";
import { note, seconds, timed } from "../progress";
import { ensureRegistry, releaseRepository, removeRegistry } from "./registry";
import { prepareRelease, recordCurrent, recordedRelease, recordRefusal, releasePlans, upRelease } from "../releases/release";
import { currentReleaseIfAny } from "../releases/releaseBook";
import { Release } from "../releases/releases";
import { runHostPlans, StepOutcome } from "../executor/stepExecutor";
import { database, loadBalancer, resultsDirName, stateDir } from "./stackLayout";
import { hostPorts, hostNames } from "./stackHosts";
import { presentHosts, retireSurplusHosts, surplusHosts } from "./hostScaling";
import { isDrained, printStatus, stackState } from "./status";

/** How long a healthy host takes to enter rotation: the rejoin window, plus one interval of phase. */
const joinSeconds = rejoinWindowSeconds() + healthCheck.intervalSeconds;

/** A started host's app containers listening again (node starts in about a second; slack for a busy machine). */
const appStartSeconds = 10;

/**
 * Builds what is missing and brings the whole stack to its desired state (hostCount hosts from
 * local.settings.json: new ones set up and in rotation, surplus ones drained and removed); a second
 * run changes nothing.
 */
export async function up(): Promise<StepOutcome[]> {
    await timed("base images (debootstrap + docker import, once)", ensureBaseImages);
    await timed(`registry stand-in (${releaseRepository})`, ensureRegistry);
    const release = await upRelease();
    const plans = releasePlans(release);
    await timed(`database (two MariaDB servers, primary and standby, as ${database.host}:${database.port})`, ensureDatabase).then(report);
    await timed(`load balancer (haproxy on ${loadBalancer.url})`, ensureLoadBalancer).then(report);
    await timed(`CloudWatch stand-in (127.0.0.1:${cloudWatchStandIn.port})`, ensureCloudWatch);
    await timed("AMI stand-in image (Debian 12: systemd, cloud-init, sshd)", buildAmiImage);
    for (const host of hostNames()) {
        await timed(`${host} container`, () => ensureHost(host)).then(report);
    }
    const outcomes = await timed(`host steps (release ${release.label})`, () => runHostPlans(plans));
    recordCurrent(release.label);
    await timed("hosts in rotation", () => Promise.all(hostNames().map((h) => waitForTarget(h, "UP", joinSeconds))));
    // Last, as `pulumi up` deletes last: hosts beyond hostCount leave only once the others serve.
    await retireSurplusHosts();
    console.log(`\nha-web is up: ${loadBalancer.url}\n`);
    await printStatus();
    return outcomes;
}

/**
 * `deploy <label>`: the app tree as it is now, as release `label` (releases.ts: a new label
 * is built, the label of this content rolls out again, a label of other content is refused), rolled
 * out host after host. Checked first: every host runs and is in rotation.
 */
export async function deploy(label: string, broken: boolean): Promise<StepOutcome[]> {
    await requireStackUp();
    // Before a build too, so a stopped host is named at once rather than after the build.
    await requireHostsInRotation();
    const previous = currentReleaseIfAny();
    return interruptible(async (signal) => rollOut(await prepareRelease(label, broken), previous, signal), convergeReport);
}

/** `rollback <label>`: a release recorded earlier, whose image still exists, rolled out as a deploy is. */
export async function rollback(label: string): Promise<StepOutcome[]> {
    await requireStackUp();
    const release = await recordedRelease(label);
    const previous = currentReleaseIfAny();
    return interruptible((signal) => rollOut(release, previous, signal), convergeReport);
}

/**
 * Rolls a release out host after host (the plan's rollout steps run ha-web-deploy one host at a
 * time). A release that fails its health check is refused: the failing host keeps its old colour,
 * later hosts are never touched, and the plan is re-applied at the last good release so the hosts'
 * recorded state matches what runs (as an operator would re-run `pulumi up` with the old version).
 * An aborted `signal` (Ctrl-C) starts no further step and re-applies nothing: `interruptible`
 * reports where each host is.
 */
async function rollOut(release: Release, previous: Release | undefined, signal: AbortSignal): Promise<StepOutcome[]> {
    await requireHostsInRotation();
    try {
        const outcomes = await timed(`roll out ${release.label}`, () => runHostPlans(releasePlans(release), { signal }));
        recordCurrent(release.label);
        return outcomes;
    } catch (error) {
        if (signal.aborted) throw error;
        const reason = (error as Error).message;
        recordRefusal(release.label, reason);
        if (!previous) throw error;
        note(`release ${release.label} refused; re-applying ${previous.label}, which still serves everywhere`);
        await timed(`re-apply ${previous.label}`, () => runHostPlans(releasePlans(previous), { signal })).catch(async (again: Error) => {
            if (signal.aborted) throw again;
            throw new Error(`${reason}\n\nrelease ${release.label} was not rolled out, and re-applying ${previous.label} failed too: ` +
                `${again.message}\n${await convergeReport()}`);
        });
        throw new Error(`${reason}\n\nrelease ${release.label} refused: ${previous.label} still serves on every host`);
    }
}

/** Where each host is after a rollout stopped half-way, and the next step (the one `status` prints for the same state). */
async function convergeReport(): Promise<string> {
    return stoppedRolloutReport(await stackState());
}

export async function stopHost(host: string): Promise<void> {
    hostPorts(host);
    await requireStackUp();
    await timed(`${host}: hard stop (host and its app containers killed)`, () => stopHostHard(host)).then(report);
}

/**
 * Starts a stopped host and waits until it is back in rotation, as `undrainHost` does, unless it is
 * drained (then it stays out until `undrain-host`).
 */
export async function startHostAgain(host: string): Promise<void> {
    hostPorts(host);
    await requireStackUp();
    const started = Date.now();
    await timed(`${host}: start`, () => startHost(host));
    if (await isDrained(host)) {
        note(`${host} is drained: it stays out of rotation until ${haWeb("undrain-host", host)}`);
        return;
    }
    await timed(`${host}: back in rotation (load balancer UP)`, () => waitForTarget(host, "UP", joinSeconds + appStartSeconds));
    note(`${host} back in rotation ${seconds(started)} s after the start`);
}

/** A reboot through systemd: the host's processes stop and come back by themselves; no host step runs (see rebootHost). */
export async function restartHost(host: string): Promise<void> {
    hostPorts(host);
    await requireStackUp();
    await timed(`${host}: reboot (systemctl reboot; its app containers stopped from inside)`, () => rebootHost(host));
}

/** Graceful maintenance: the host's own ha-web-drain fails its health check; wait until the LB agrees. */
export async function drainHost(host: string): Promise<void> {
    hostPorts(host);
    await requireStackUp();
    await timed(`${host}: drain (ha-web-drain)`, async () => {
        await runOnHost(host, `sudo -n ${hostPaths.drainCommand}`);
        await waitForTarget(host, "DOWN", detectionWindowSeconds() + healthCheck.intervalSeconds);
    });
}

export async function undrainHost(host: string): Promise<void> {
    hostPorts(host);
    await requireStackUp();
    await timed(`${host}: undrain (ha-web-undrain)`, async () => {
        await runOnHost(host, `sudo -n ${hostPaths.undrainCommand}`);
        await waitForTarget(host, "UP", joinSeconds);
    });
}

/** Removes every container, volume and state file the stack created (images stay as build cache). */
export async function down(): Promise<void> {
    await timed("faults: remove every rule, chain and delay proxy of ours", removeAllFaults);
    for (const host of await presentHosts()) {
        await timed(`${host}: remove host and its app containers`, () => removeHost(host));
    }
    // The hosts' metadata guard is in this machine's kernel (they share its network): one rule for all.
    await timed("metadata guard: remove its rule", () => removeMetadataGuard());
    await timed("app network: remove its chain", () => removeAppNetwork());
    await timed("load balancer: remove", () => removeContainer(loadBalancer.container));
    await timed("CloudWatch stand-in: remove", removeCloudWatch);
    await timed("registry stand-in: remove (its storage stays, as build cache)", removeRegistry);
    await timed("database: remove both servers, their data volumes and the name server", removeDatabase);
    for (const entry of fs.existsSync(stateDir) ? fs.readdirSync(stateDir) : []) {
        if (entry !== resultsDirName) fs.rmSync(path.join(stateDir, entry), { recursive: true, force: true });
    }
    note("local stack removed");
}

async function requireStackUp(): Promise<void> {
    if (!(await isRunning(loadBalancer.container))) {
        throw new Error(formatNextStep(upStep));
    }
}

/**
 * Refuses a rollout, before any host is touched, while a host is stopped, drained or out of rotation,
 * or a host runs that hostCount no longer wants.
 */
async function requireHostsInRotation(): Promise<void> {
    // A host beyond hostCount would keep serving the old release beside the new one.
    const surplus = await surplusHosts();
    if (surplus.length > 0) {
        throw new Error(`deploy refused before touching any host: ${surplus.join(", ")} still run beyond hostCount ${hostNames().length} `
            + `(local.settings.json): ${haWeb("up")} drains and removes them first`);
    }
    const state = await stackState();
    const problems = hostsNotInRotation(state.hosts);
    if (problems.length > 0) {
        throw new Error(`deploy refused before touching any host: a rollout needs every host running and UP in the load balancer:\n` +
            `${problems.map((p) => `  ${p}`).join("\n")}\n${formatNextStep(nextStep(state) ?? upStep)}`);
    }
}

function report(outcome: string): void {
    note(`  -> ${outcome}`);
}
