import { activeSettingsWith, addColumnMigration, appVariant, withLocalSettings } from "./drills/appVariants";
import { defaultLoad, startLoad } from "./load/loadGenerator";
import { summarize } from "./load/sample";
import { note } from "./progress";
import { deploy, up } from "./stack/stack";
import { loadBalancer } from "./stack/stackLayout";
import { RolloutTiming } from "./resultFiles";

/** The stand-in's sizes the bench rolls out over: the default, and four hosts. */
const hostCounts = [2, 4];

/**
 * Per-host rollout time for each of `hostCounts`, from one run: for each size the stack is brought
 * to that many hosts (`up`), then a release of its own (the app plus a marker file, so it is new
 * content) rolls out host after host (batch 1) under load. The stack goes back to the hostCount of
 * local.settings.json at the end.
 */
export async function measureRollouts(): Promise<RolloutTiming[]> {
    const timings: RolloutTiming[] = [];
    try {
        for (const hostCount of hostCounts) {
            const label = `bench-${hostCount}-hosts-${Date.now().toString(36)}`;
            const release = appVariant(label, { ...addColumnMigration, "bench-release.txt": `${label}\n` });
            await withLocalSettings(label, activeSettingsWith({ ...release, hostCount, rolloutBatchSize: 1 }), async () => {
                await up();
                note(`benchmark: rollout of ${label} over ${hostCount} hosts under 32 keep-alive clients ...`);
                const load = startLoad({ ...defaultLoad, keepAliveClients: 32, baseUrl: loadBalancer.url, paths: ["/"] });
                const outcomes = await deploy(label, false).finally(() => load.stop());
                const { requests, failures } = summarize(load.samples);
                const perHost = Object.fromEntries(outcomes.filter((o) => o.step === "rollout" && o.result === "ran")
                    .map((o) => [o.host, Math.round(o.seconds * 10) / 10]));
                timings.push({ hostCount, perHost, requests, failures });
            });
        }
    } finally {
        await up();
    }
    return timings;
}

