import * as fs from "fs";
import * as path from "path";
import { detectionWindowSeconds } from "../../components/plan/healthCheck";
import { catalog } from "./drills/catalog";
import { DrillResult, runDrill } from "./drills/drill";
import { note, timed } from "./progress";
import { down, resultsDirName, up } from "./stack";
import { stateDir } from "./stackLayout";
import { liveChains } from "./liveRules";
import { formatTable } from "./status";

/**
 * `npm run test:drills`: brings the local stack up from nothing, runs every failure drill under
 * continuous load, prints the drill table and `drills: N passed, N failed`, writes the results as
 * JSON, and removes the stack again (also when a drill fails). Exits non-zero on any failure.
 */
const resultsFile = path.join(stateDir, resultsDirName, "drills.json");

/** `npm run test:drills -- 3 7` runs only drills 3 and 7 (by the number their name starts with). */
function selectedDrills(numbers: string[]): typeof catalog {
    if (numbers.length === 0) return catalog;
    const selected = catalog.filter((d) => numbers.includes(d.name.split(" ")[0]));
    if (selected.length !== numbers.length) {
        throw new Error(`unknown drill number in ${numbers.join(" ")}: the drills are ${catalog.map((d) => d.name.split(" ")[0]).join(", ")}`);
    }
    return selected;
}

async function main(): Promise<number> {
    const drills = selectedDrills(process.argv.slice(2));
    const started = Date.now();
    const results: DrillResult[] = [];
    let upSeconds = 0;
    try {
        await timed("local:down (start from nothing)", down);
        const upStarted = Date.now();
        await timed("local:up", up);
        upSeconds = (Date.now() - upStarted) / 1000;
        for (const drill of drills) {
            results.push(await runDrill(drill));
        }
    } catch (error) {
        results.push({ name: "stack set-up", passed: false, problems: [(error as Error).message], notes: [], seconds: 0 });
    } finally {
        await timed("local:down", down).catch((error: Error) => note(`local:down failed: ${error.message}`));
    }
    // Every kernel rule the stack made (the hosts' live-port redirects) must be gone again.
    const leftover = await liveChains();
    results.push({ name: "clean-up: no kernel rule left", passed: leftover.length === 0, problems: leftover.map((c) => `iptables nat chain ${c} is still there`), notes: [], seconds: 0 });
    const passed = results.filter((r) => r.passed).length;
    const failed = results.length - passed;
    const totalSeconds = (Date.now() - started) / 1000;
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify({
        detectionWindowSeconds: detectionWindowSeconds(), upSeconds, totalSeconds, passed, failed, results,
    }, null, 2) + "\n");
    console.log(`\n${drillTable(results)}\n`);
    for (const r of results) {
        for (const line of [...r.notes, ...r.problems.map((p) => `PROBLEM: ${p}`)]) console.log(`  ${r.name.slice(0, 1)}: ${line}`);
    }
    console.log(`\nlocal:up ${upSeconds.toFixed(0)} s, drills total ${totalSeconds.toFixed(0)} s; results in ${resultsFile}`);
    console.log(`drills: ${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

function drillTable(results: DrillResult[]): string {
    const rows = [["drill", "result", "requests", "failures", "p50 ms", "p99 ms", "rollout s per host", "s"]];
    for (const r of results) {
        rows.push([
            r.name, r.passed ? "PASS" : "FAIL",
            String(r.load?.requests ?? "-"), String(r.load?.failures ?? "-"),
            String(r.load?.p50Ms ?? "-"), String(r.load?.p99Ms ?? "-"),
            r.rolloutSeconds ? Object.entries(r.rolloutSeconds).map(([h, s]) => `${h} ${s}`).join(", ") : "-",
            String(r.seconds),
        ]);
    }
    return formatTable(rows);
}

main().then((code) => process.exit(code), (error: Error) => {
    console.error(error);
    process.exit(1);
});
