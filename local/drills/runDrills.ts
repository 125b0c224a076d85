import * as fs from "fs";
import * as path from "path";
import { detectionWindowSeconds } from "../../components/plan/healthCheck";
import { drillSettings, useLocalSettings } from "./appVariants";
import { catalog } from "./catalog";
import { leftoverFaults } from "../faults/faults";
import { DrillResult, runDrill } from "./drill";
import { note, timed } from "../progress";
import { liveChains } from "../stack/liveRules";
import { down, up } from "../stack/stack";
import { formatTable } from "../stack/status";
import { DrillsResultFile, resultFiles } from "../resultFiles";

/**
 * `npm run test:drills`: brings the local stack up from nothing, runs every failure drill under
 * continuous load, prints the drill table and `drills: N passed, N failed`, writes the results as
 * JSON, and removes the stack again (also when a drill fails). Exits non-zero on any failure.
 * `npm run test:drills -- 9 11` runs only the drills with those numbers.
 */
const resultsFile = resultFiles.drills;

async function main(only: string[]): Promise<number> {
    const drills = only.length === 0 ? catalog : catalog.filter((d) => only.includes(d.name.split(" ")[0]));
    if (drills.length !== (only.length || catalog.length)) {
        throw new Error(`unknown drill number in ${only.join(" ")}: the drills are ${catalog.map((d) => d.name.split(" ")[0]).join(", ")}`);
    }
    const started = Date.now();
    const results: DrillResult[] = [];
    let upSeconds = 0;
    try {
        await timed("down (start from nothing)", down);
        // The sample app with the defaults, whatever a developer's local.settings.json holds.
        useLocalSettings(drillSettings, {});
        const upStarted = Date.now();
        await timed("up", up);
        upSeconds = (Date.now() - upStarted) / 1000;
        for (const drill of drills) {
            results.push(await runDrill(drill));
        }
    } catch (error) {
        results.push({ name: "stack set-up", passed: false, problems: [(error as Error).message], notes: [], marks: [], seconds: 0 });
    } finally {
        await timed("down", down).catch((error: Error) => note(`down failed: ${error.message}`));
    }
    results.push(await nothingLeftBehind());
    const passed = results.filter((r) => r.passed).length;
    const failed = results.length - passed;
    const totalSeconds = (Date.now() - started) / 1000;
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    const file: DrillsResultFile = { only, detectionWindowSeconds: detectionWindowSeconds(), upSeconds, totalSeconds, passed, failed, results };
    fs.writeFileSync(resultsFile, JSON.stringify(file, null, 2) + "\n");
    console.log(`\n${drillTable(results)}\n`);
    for (const r of results) {
        for (const line of [...r.notes, ...r.problems.map((p) => `PROBLEM: ${p}`)]) console.log(`  ${r.name.split(" ")[0]}: ${line}`);
    }
    console.log("\ntimelines (SVG):");
    for (const r of results) if (r.timeline) console.log(`  ${r.timeline}`);
    console.log(`\nup ${upSeconds.toFixed(0)} s, drills total ${totalSeconds.toFixed(0)} s; results in ${resultsFile}`);
    console.log(`drills: ${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

/** After the run, no iptables rule, chain or delay proxy of the fault commands may remain. */
async function nothingLeftBehind(): Promise<DrillResult> {
    const result: DrillResult = { name: "nothing left behind (fault rules, live-port chains, delay proxies)", passed: false, problems: [], notes: [], marks: [], seconds: 0 };
    const left = await leftoverFaults().catch((error: Error) => [`could not list: ${error.message}`]);
    // The hosts' live-port redirects (ha-web-live) live in this machine's kernel too.
    left.push(...await liveChains().then((chains) => chains.map((chain) => `iptables -t nat: chain ${chain}`),
        (error: Error) => [`could not list the live-port chains: ${error.message}`]));
    result.problems.push(...left.map((l) => `left behind: ${l}`));
    result.passed = result.problems.length === 0;
    return result;
}

function drillTable(results: DrillResult[]): string {
    const rows = [["drill", "result", "requests", "failures", "writes acked", "writes failed", "writes lost", "p50 ms", "p99 ms", "rollout s per host", "s"]];
    for (const r of results) {
        rows.push([
            r.name, r.passed ? "PASS" : "FAIL",
            String(r.load?.requests ?? "-"), String(r.load?.failures ?? "-"),
            String(r.load?.writes.acknowledged ?? "-"), String(r.load?.writes.failed ?? "-"), String(r.writesLost ?? "-"),
            String(r.load?.p50Ms ?? "-"), String(r.load?.p99Ms ?? "-"),
            r.rolloutSeconds ? Object.entries(r.rolloutSeconds).map(([h, s]) => `${h} ${s}`).join(", ") : "-",
            String(r.seconds),
        ]);
    }
    return formatTable(rows);
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error: Error) => {
    console.error(error);
    process.exit(1);
});
