import * as fs from "fs";
import * as path from "path";
import { detectionWindowSeconds, healthCheck, rejoinWindowSeconds } from "../../components/plan/healthCheck";
import { hostPaths } from "../../components/plan/hostPaths";
import { isRunning, removeContainer } from "./containers";
import { ensureDatabase } from "./database";
import { removeAllFaults } from "./faults/faults";
import { buildHostImage } from "./hostImage";
import { runOnHost } from "./hostAccess";
import { ensureHost, rebootHost, removeHost, startHost, stopHostHard } from "./hosts";
import { ensureBaseImages } from "./images";
import { ensureLoadBalancer, waitForTarget } from "./loadBalancerStack";
import { appImageFor, localHostPlans } from "./localPlan";
import { note, timed } from "./progress";
import { buildRelease, currentRelease, recordRelease } from "./release";
import { docker, dockerOk } from "./run";
import { runHostPlans, StepOutcome } from "./stepExecutor";
import { database, hostLayout, hostNames, loadBalancer, resultsDirName, stateDir } from "./stackLayout";
import { printStatus } from "./status";

/** How long a healthy host takes to enter rotation: the rejoin window, plus one interval of phase. */
const joinSeconds = rejoinWindowSeconds() + healthCheck.intervalSeconds;

/** Builds what is missing and brings the whole stack to its desired state; a second run changes nothing. */
export async function up(): Promise<StepOutcome[]> {
    const release = currentRelease();
    const plans = localHostPlans(appImageFor(release.label));
    await timed("base images (debootstrap + docker import, once)", ensureBaseImages);
    await timed(`database (MariaDB on 127.0.0.1:${database.port})`, ensureDatabase).then(report);
    await timed(`load balancer (haproxy on ${loadBalancer.url})`, ensureLoadBalancer).then(report);
    await timed(`app release ${release.label}`, () => buildRelease(release.label, false));
    await timed("host images (the plan's bootstrap step in docker build)", () =>
        Promise.all(plans.map((p) => buildHostImage(p.host, p.steps))));
    for (const host of hostNames) {
        await timed(`${host} container`, () => ensureHost(host)).then(report);
    }
    const outcomes = await timed(`host steps (release ${release.label})`, () => runHostPlans(plans));
    await timed("hosts in rotation", () => Promise.all(hostNames.map((h) => waitForTarget(h, "UP", joinSeconds))));
    console.log(`\nha-web is up: ${loadBalancer.url}\n`);
    await printStatus();
    return outcomes;
}

/**
 * Rolls a release out host after host (the plan's rollout steps run ha-web-deploy one host at a
 * time). A release that fails its health check is refused: the failing host keeps its old colour,
 * later hosts are never touched, and the plan is re-applied at the last good release so the hosts'
 * recorded state matches what runs (as an operator would re-run `pulumi up` with the old version).
 */
export async function deploy(label: string, broken: boolean): Promise<StepOutcome[]> {
    await requireStackUp();
    const previous = currentRelease();
    await timed(`build release ${label}${broken ? " (broken: health never passes)" : ""}`, () => buildRelease(label, broken));
    try {
        const outcomes = await timed(`roll out ${label}`, () => runHostPlans(localHostPlans(appImageFor(label))));
        recordRelease({ label });
        return outcomes;
    } catch (error) {
        note(`release ${label} refused; re-applying ${previous.label}, which still serves everywhere`);
        await timed(`re-apply ${previous.label}`, () => runHostPlans(localHostPlans(appImageFor(previous.label))));
        throw new Error(`${(error as Error).message}\n\nrelease ${label} refused: ${previous.label} still serves on every host`);
    }
}

export async function stopHost(host: string): Promise<void> {
    hostLayout(host);
    await requireStackUp();
    await timed(`${host}: hard stop (host and its app containers killed)`, () => stopHostHard(host)).then(report);
}

export async function startHostAgain(host: string): Promise<void> {
    hostLayout(host);
    await requireStackUp();
    await timed(`${host}: start`, () => startHost(host));
}

/** A reboot: the host's processes stop and come back by themselves; no host step runs (see rebootHost). */
export async function restartHost(host: string): Promise<void> {
    hostLayout(host);
    await requireStackUp();
    await timed(`${host}: reboot (host restarted, its app containers stopped from inside)`, () => rebootHost(host));
}

/** Graceful maintenance: the host's own ha-web-drain fails its health check; wait until the LB agrees. */
export async function drainHost(host: string): Promise<void> {
    hostLayout(host);
    await requireStackUp();
    await timed(`${host}: drain (ha-web-drain)`, async () => {
        await runOnHost(host, `sudo -n ${hostPaths.drainCommand}`);
        await waitForTarget(host, "DOWN", detectionWindowSeconds() + healthCheck.intervalSeconds);
    });
}

export async function undrainHost(host: string): Promise<void> {
    hostLayout(host);
    await requireStackUp();
    await timed(`${host}: undrain (ha-web-undrain)`, async () => {
        await runOnHost(host, `sudo -n ${hostPaths.undrainCommand}`);
        await waitForTarget(host, "UP", joinSeconds);
    });
}

/** Removes every container, volume and state file the stack created (images stay as build cache). */
export async function down(): Promise<void> {
    await timed("faults: remove every rule, chain and delay proxy of ours", removeAllFaults);
    for (const host of hostNames) {
        await timed(`${host}: remove host and its app containers`, () => removeHost(host));
    }
    await timed("load balancer: remove", () => removeContainer(loadBalancer.container));
    await timed("database: remove container and data volume", async () => {
        await removeContainer(database.container);
        if (await dockerOk(["volume", "inspect", database.volume])) await docker(["volume", "rm", database.volume]);
    });
    for (const entry of fs.existsSync(stateDir) ? fs.readdirSync(stateDir) : []) {
        if (entry !== resultsDirName) fs.rmSync(path.join(stateDir, entry), { recursive: true, force: true });
    }
    note("local stack removed");
}

async function requireStackUp(): Promise<void> {
    if (!(await isRunning(loadBalancer.container))) {
        throw new Error("the local stack is not up: run `npm run local:up` first");
    }
}

function report(outcome: string): void {
    note(`  -> ${outcome}`);
}
