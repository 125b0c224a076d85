import { hostPaths } from "../../components/plan/hostPaths";
import { outputOnHost, runOnHost } from "../stack/hostAccess";
import { projectContainers } from "../stack/containers";
import { hostAppContainers } from "../stack/hosts";
import { hostStatuses } from "../stack/status";
import { hostNames } from "../stack/stackHosts";
import { versionsServed } from "./loadBalancerAnswers";
import { DrillResult, expect, mark } from "./drill";
import { sleep } from "./underLoad";

/**
 * Cutting a host step off at a chosen moment, and what the next run finds: the drills of interrupted
 * deploys (20: the deployer's connection dropped, 21: the step's process tree killed). A moment is
 * read from the step's own log on the host (the unit's log, which ha-web-step keeps whoever follows it).
 */
export interface Moment {
    /** What the drill reports: "host-a's new colour starting". */
    label: string;
    host: string;
    step: string;
    /** The run this moment belongs to: the last line matching it starts the part of the log searched. */
    runStarted: RegExp;
    /** The line that marks the moment. */
    line: RegExp;
}

/** How often a moment is looked for: one SSH command each time. */
const pollMs = 150;

export function stepLog(host: string, step: string): Promise<string> {
    return outputOnHost(host, `sudo -n cat ${hostPaths.stepLogDir}/${step}.log`).catch(() => "");
}

/** The last line of the moment's step log now. */
export async function lastLine(moment: Moment): Promise<string> {
    return (await stepLog(moment.host, moment.step)).trimEnd().split("\n").at(-1) ?? "";
}

/**
 * Waits until the moment's line is in its step's log (after the run's start); returns the log's last
 * line then: the moment, or what the step had done past it by the time the drill saw it.
 */
export async function awaitMoment(moment: Moment, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let lines: string[] = [];
    while (Date.now() < deadline) {
        lines = (await stepLog(moment.host, moment.step)).split("\n").filter((l) => l.trim() !== "");
        const start = lines.map((l) => moment.runStarted.test(l)).lastIndexOf(true);
        if (start >= 0 && lines.slice(start).some((l) => moment.line.test(l))) return lines.at(-1)!;
        await sleep(pollMs);
    }
    throw new Error(`${moment.label}: ${moment.host}'s ${moment.step} log never showed ${moment.line} within ${timeoutMs / 1000} s; ` +
        `its last lines: ${lines.slice(-6).join(" | ") || "(none)"}`);
}

/** The containers of `host`'s migrations (ha-web-deploy --migrate's compose project). */
export function migrationContainers(host: string, onlyRunning: boolean): Promise<string[]> {
    return projectContainers(`${host}-migrate`, onlyRunning);
}

/** Waits until a migration container runs on `host`, then `forMs` more. */
export async function awaitMigrationRunning(host: string, forMs: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await migrationContainers(host, true)).length === 0) {
        if (Date.now() > deadline) throw new Error(`no migration container ran on ${host} within ${timeoutMs / 1000} s`);
        await sleep(pollMs);
    }
    await sleep(forMs);
}

/** kill -9 of everything the step's unit runs (its whole cgroup: the script, docker-compose, curl, sleep). */
export function killStep(host: string, step: string): Promise<void> {
    return runOnHost(host, `sudo -n systemctl kill --signal=SIGKILL ha-web-step-${step}`);
}

/**
 * Lines of the step logs that say what a run found left by an interrupted one: a step joined, a
 * colour removed beside the live one, a migration container waited for, a drain finished.
 */
const findings = /joined at|is still there beside live|already runs as .* nothing to do|migration container an interrupted step left|it ended with exit|interrupted run left the host drained|was killed by SIGKILL/;

/** Every finding in `host`'s `step` log now, as "host/step: line". */
export async function findingsIn(host: string, step: string): Promise<string[]> {
    return (await stepLog(host, step)).split("\n").filter((l) => findings.test(l)).map((l) => `${host}/${step}: ${l.trim()}`);
}

/** A cut: when, at what moment, and the step log's last line when the drill cut. */
export function noteCut(result: DrillResult, started: number, moment: Moment, line: string, how: string): void {
    mark(result, `${how}: ${moment.label}`);
    result.notes.push(`cut at ${((Date.now() - started) / 1000).toFixed(1)} s (${how}): ${moment.label}, the step's last line "${line.trim()}"`);
}

/**
 * The host converged as one never interrupted: one app container, live, healthy and serving `label`;
 * not drained; no step unit left; no migration container; the deploy lock free and no git lock left.
 */
export async function expectConverged(result: DrillResult, label: string): Promise<void> {
    for (const status of await hostStatuses()) {
        const host = status.host;
        const what = `${host}: live ${status.live?.colour ?? "none"} serving ${status.live?.version ?? "nothing"}, /health ${status.health}, drained ${status.drained}`;
        expect(result, status.live?.version === label && status.health === 200 && !status.drained, `${what}; expected ${label}, healthy, in rotation`);
        const containers = await hostAppContainers(host, false);
        expect(result, containers.length === 1, `${host} has ${containers.length} app containers (running or not); expected only the live one`);
        const migrations = await migrationContainers(host, false);
        expect(result, migrations.length === 0, `${host} still has ${migrations.length} migration containers`);
        const units = await outputOnHost(host, "systemctl list-units --all --plain --no-legend 'ha-web-step-*'");
        expect(result, units.trim() === "", `${host} still has step units: ${units.trim()}`);
        const locks = await outputOnHost(host,
            `sudo -n flock --nonblock ${hostPaths.configsDir}/.deploy.lock true && sudo -n test ! -e ${hostPaths.configsDir}/.git/index.lock && echo free || echo held`);
        expect(result, locks.trim() === "free", `${host}: the deploy lock is held or git's index.lock is left`);
    }
    const served = await versionsServed(20);
    expect(result, served.size === 1 && served.has(label), `expected only ${label} through the load balancer, served: ${[...served].join(", ")}`);
    result.notes.push(`converged: ${hostNames().join(" and ")} run ${label} alone, live and healthy; no unit, container, drain or lock left`);
}
