import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { runHostPlans } from "../executor/stepExecutor";
import { hostImage, prepareRelease, releasePlans } from "../releases/release";
import { deploy } from "../stack/stack";
import { database, repoRoot } from "../stack/stackLayout";
import { addColumnMigration, appVariant, drillSettings, queryDatabase, useLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect } from "./drill";
import { awaitMigrationRunning, awaitMoment, expectConverged, findingsIn, killStep, lastLine, migrationContainers, Moment, noteCut } from "./stepCuts";
import { expectNoFailures, underLoad } from "./underLoad";

/**
 * Drills 20 and 21: a deploy cut off at chosen moments under load, then run again. Each release is
 * built once, before the load; every run after that finds it recorded, so a run is its host steps.
 */

/** A release of its own content (one more file), so its rollout really moves every host. */
async function drillRelease(label: string, extraFiles: Record<string, string> = {}) {
    useLocalSettings(drillSettings, appVariant(label, { ...addColumnMigration, ...extraFiles, [`drill-releases/${label}.txt`]: `${label}\n` }));
    return prepareRelease(label, false);
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The moments of one host's rollout of `image` (ha-web-deploy's own log lines). */
function rolloutMoment(host: string, image: string, label: string, line: RegExp): Moment {
    return { label, host, step: "rollout", runStarted: new RegExp(`starting ${escaped(image)} as`), line };
}
const newColourStarting = /starting .* as (blue|green)/;
const liveSwitch = /is healthy; moving the live port/;
const oldColourDraining = /stopping (blue|green) \(/;
/** The canary host (host-a) serving the new colour with the old one still running, its traffic judged. */
const canaryWatching = /canary: (blue|green) serves this host's traffic/;

/**
 * What the runs after the cuts found in the step logs, once each: read at every cut (a later run
 * starts a new log) and at the end, leaving out what the logs held before the drill.
 */
class Findings {
    private readonly before = new Set<string>();
    private readonly found = new Set<string>();

    constructor(private readonly steps: Array<[string, string]>) {}

    async baseline(): Promise<void> {
        for (const line of await this.read()) this.before.add(line);
    }

    async collect(): Promise<void> {
        for (const line of await this.read()) if (!this.before.has(line)) this.found.add(line);
    }

    report(result: DrillResult): void {
        result.notes.push(...[...this.found].map((line) => `the next run found: ${line}`));
        expect(result, this.found.size > 0, "no run after a cut reported finding anything an interrupted run left");
    }

    private async read(): Promise<string[]> {
        return (await Promise.all(this.steps.map(([host, step]) => findingsIn(host, step)))).flat();
    }
}

/** `npx ha-web deploy <label>` as its own process: the deployer whose connection the drill cuts. */
function startDeployer(label: string): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "ha-web.js"), "deploy", label], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => { output += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { output += d.toString(); });
    return { child, output: () => output };
}

/**
 * The deployer goes away mid-rollout (SIGKILL: its SSH sessions drop, as when a laptop sleeps or a CI
 * job is cancelled); the step it started runs on, on the host. The next deployer joins the step
 * still running, or finds what the finished one did, and goes on; the last run is the drill's own deploy.
 */
const droppedDeployer: Drill = {
    name: "20 deployer's connection dropped at 3 moments of a rollout (SSH client killed), each next run joins and completes it",
    async run(result) {
        const label = "v20";
        const image = hostImage(await drillRelease(label));
        const moments = [
            rolloutMoment("host-a", image, "host-a's new colour starting", newColourStarting),
            rolloutMoment("host-a", image, "host-a's canary window (both colours running)", canaryWatching),
            rolloutMoment("host-b", image, "host-b's live port moving", liveSwitch),
        ];
        const findings = new Findings([["host-a", "rollout"], ["host-b", "rollout"]]);
        await findings.baseline();
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            for (const moment of moments) {
                const deployer = startDeployer(label);
                const exited = new Promise((resolve) => deployer.child.on("exit", resolve));
                try {
                    const line = await awaitMoment(moment);
                    await findings.collect();
                    expect(result, deployer.child.exitCode === null, `the deployer had ended before ${moment.label}: ${deployer.output().slice(-500)}`);
                    deployer.child.kill("SIGKILL");
                    noteCut(result, started, moment, line, "deployer killed");
                } finally {
                    deployer.child.kill("SIGKILL");
                    await exited;
                }
            }
            await deploy(label, false);
            await findings.collect();
        }, ["/"], { keepAliveClients: 32 });
        findings.report(result);
        expectNoFailures(result, samples, started);
        await expectConverged(result, label);
    },
};

/** A migration that takes a while (DO SLEEP): long enough to be killed half-way. */
const slowMigration = { "migrations/021_drill_slow.sql": "DO SLEEP(4);\nCREATE TABLE drill_interrupted_migration (id INT PRIMARY KEY);\n" };

/**
 * kill -9 of the step's whole process tree (its systemd unit's cgroup) at four moments of one
 * release; the executor's run fails with the step, and the next run starts from what is left.
 */
const killedSteps: Drill = {
    name: "21 host steps killed with kill -9 at 4 moments (migration, new colour starting, switch, old colour's drain), each run again",
    async run(result) {
        const label = "v21";
        const release = await drillRelease(label, slowMigration);
        const image = hostImage(release);
        const moments: Moment[] = [
            {
                label: "host-a's migration, inside its DDL file", host: "host-a", step: "migrate",
                runStarted: new RegExp(`migrate: running .* in ${escaped(image)}$`), line: /in a one-off container of/,
            },
            rolloutMoment("host-a", image, "host-a's new colour starting", newColourStarting),
            rolloutMoment("host-a", image, "host-a's live port moving", liveSwitch),
            rolloutMoment("host-b", image, "host-b's old colour draining", oldColourDraining),
        ];
        const findings = new Findings([["host-a", "migrate"], ["host-a", "rollout"], ["host-b", "rollout"]]);
        await findings.baseline();
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            for (const moment of moments) {
                const run = runHostPlans(releasePlans(release)).then(() => "it finished", (error: Error) => error.message);
                let line = await awaitMoment(moment);
                // The tool's output reaches the log only when docker-compose flushes it: the migration's
                // own container says when it runs, and 1.5 s in, it is inside the file's DO SLEEP(4).
                if (moment.step === "migrate") line = await awaitMigrationRunning(moment.host, 1500).then(() => lastLine(moment));
                await findings.collect();
                await killStep(moment.host, moment.step);
                noteCut(result, started, moment, line, "kill -9 of the step");
                if (moment.step === "migrate") {
                    const runsOn = (await migrationContainers(moment.host, true)).length > 0;
                    result.notes.push(`the migration's container ${runsOn ? "ran on" : "had ended"} after the kill of its step`);
                    expect(result, runsOn, "the migration had ended before its step was killed: the cut was not inside it");
                }
                const outcome = await run;
                expect(result, /was killed by SIGKILL/.test(outcome), `the run cut at ${moment.label} did not fail with the killed step: ${outcome.split("\n").slice(0, 3).join(" | ")}`);
            }
            await deploy(label, false);
            await findings.collect();
        }, ["/"], { keepAliveClients: 32 });
        findings.report(result);
        expectNoFailures(result, samples, started);
        const rows = await queryDatabase(`SELECT COUNT(*) AS n FROM \`${database.name}\`.schema_migrations WHERE name = '021_drill_slow.sql'`) as Array<{ n: number }>;
        const tables = await queryDatabase("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'drill_interrupted_migration'", [database.name]) as Array<{ n: number }>;
        result.notes.push(`the killed migration: recorded ${rows[0].n} time(s), its table present: ${tables[0].n === 1}`);
        expect(result, Number(rows[0].n) === 1 && Number(tables[0].n) === 1, "the migration cut half-way was not applied whole exactly once");
        await expectConverged(result, label);
    },
};

export const interruptedDeploys = [droppedDeployer, killedSteps];
