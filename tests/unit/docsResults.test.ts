import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { docsResultsDir, pages, partialRun, readPage, readResults } from "../../scripts/results/docsFiles";
import { findBlocks, openingMarker, renderPage, staleBlocks } from "../../scripts/results/pages";
import { benchSummary, blocks, drillNotes, drillTable, duration, plainText, Results, RunStamp, suiteSummary, timelineFiles, zoneLossWindow } from "../../scripts/results/render";

const run: RunStamp = { date: "2025-03-04T05:06:07.890Z", machine: { cores: 2, memoryGb: 7.8, kernel: "6.1.0-test" }, commit: "abc1234", dirty: true };

const results: Results = {
    drills: {
        run, only: [], detectionWindowSeconds: 12, upSeconds: 21.4, totalSeconds: 431.6, passed: 1, failed: 1,
        results: [
            {
                name: "9 host cut | healed", passed: true, problems: [], notes: ["LB marked host-a DOWN +9.3 s after the cut"], marks: [], seconds: 40.2,
                timeline: "docs/results/drill-9.svg", writesLost: 0,
                load: { requests: 4557, failures: 2, writes: { acknowledged: 2278, failed: 0 }, p50Ms: 1.8, p99Ms: 4.9, versions: {} },
                rolloutSeconds: { "host-a": 8.9, "host-b": 9 },
            },
            { name: "nothing left behind", passed: false, problems: ["left behind: chain X"], notes: [], marks: [], seconds: 0 },
        ],
    },
    bench: {
        run, wrk: { threads: 2, connections: 32, seconds: 10 }, appVsBareNode: 0.97, loadBalancerVsApp: 0.24, appRssMb: 68,
        paths: [{ path: "the app alone", requestsPerSecond: 58386.2, p50Ms: 0.48, p99Ms: 2.721, errors: "none" }],
    },
    suite: {
        run, passed: 409, failed: 0, skipped: 0, seconds: 581,
        stages: [{ name: "lint (eslint)", passed: 1, failed: 0, skipped: 0, seconds: 12 }, { name: "unit tests", passed: 285, failed: 0, skipped: 0, seconds: 49 }],
    },
};

const page = (...blocks: Array<"drill-table" | "suite-summary">) =>
    ["# A page", "", ...blocks.flatMap((b) => [openingMarker(b), "stale text", "<!-- end generated -->", "", "prose after"])].join("\n");

describe("the docs' generated figures (npm run docs:results)", () => {
    describe("rendering a result file", () => {
        it("stamps every block with the run's date, machine and commit", () => {
            expect(drillTable(results.drills)).to.include("Run of 2025-03-04 05:06 UTC on 2 cores, 7.8 GB, Linux 6.1.0-test; commit `abc1234`, with uncommitted changes.");
            expect(suiteSummary({ ...results.suite, run: { ...run, dirty: false } })).to.match(/commit `abc1234`\.$/);
        });

        it("renders the drill table row by row, a dash where a drill had no load, and escapes pipes", () => {
            const table = drillTable(results.drills);
            expect(table).to.include("| 9 host cut \\| healed | pass | 4557 | 2 | 2278 | 0 | 0 | 1.8 | 4.9 | host-a 8.9, host-b 9 | 40.2 |");
            expect(table).to.include("| nothing left behind | FAIL | - | - | - | - | - | - | - | - | 0 |");
            expect(table).to.include("`drills: 1 passed, 1 failed`; `npx ha-web up` 21 s, the whole run 432 s.");
        });

        it("lists each drill's notes and problems with a link to its timeline next to the result file", () => {
            const notes = drillNotes(results.drills);
            expect(notes).to.include("**9 host cut | healed** ([timeline](results/drill-9.svg))\n\n- LB marked host-a DOWN +9.3 s after the cut");
            expect(notes).to.include("**nothing left behind**\n\n- PROBLEM: left behind: chain X");
            expect(timelineFiles(results.drills)).to.deep.equal(["drill-9.svg"]);
        });

        it("renders the zone-loss window from drill 23's failover figures, and says how to get them when the run has none", () => {
            const zoneLoss = {
                name: "23 zone loss", passed: true, problems: [], notes: [], marks: [], seconds: 61, writesLost: 0,
                load: { requests: 5000, failures: 40, writes: { acknowledged: 900, failed: 30 }, p50Ms: 2, p99Ms: 3000, versions: {} },
                failover: { failoverSeconds: 12, nameMovedSeconds: 12.1, firstWriteSeconds: 12.4, lastFailedReadSeconds: 11.8, lastFailedWriteSeconds: 13.9,
                    readFailures: 10, writeFailures: 30, detectionWindowSeconds: 12, hostLossWindowSeconds: 22 },
            };
            const text = zoneLossWindow({ ...results.drills, results: [zoneLoss] });
            expect(text).to.include("- reads: 10 failed, the last failed one sent +11.8 s after the loss: only until the load balancer's detection window (12 s) + connect timeout = 22 s;");
            expect(text).to.include("the endpoint's name moved +12.1 s, the first write was acknowledged +12.4 s;");
            expect(text).to.include("- acknowledged writes lost: 0 of 900 (each read back).");
            const noReadFailed = zoneLossWindow({ ...results.drills, results: [{ ...zoneLoss, failover: { ...zoneLoss.failover!, readFailures: 0, lastFailedReadSeconds: undefined } }] });
            expect(noReadFailed).to.include("- reads: none failed (they may fail only until the load balancer's detection window (12 s) + connect timeout = 22 s);");
            expect(zoneLossWindow(results.drills)).to.match(/^The zone-loss drill \(23\) is not in this result file/);
        });

        it("shows a drill's printed text as it is, not as markdown or HTML", () => {
            expect(plainText("p_50 *x* <b> `y` [z]")).to.equal("p\\_50 \\*x\\* \\<b\\> \\`y\\` \\[z\\]");
        });

        it("summarises the suite with the unit tests' own count and time, when the suite has that stage", () => {
            expect(suiteSummary(results.suite)).to.match(/^`tests: 409 passed, 0 failed, 0 skipped` in 9 min 41 s\. The unit tests alone: 285 passed, 0 failed in 49 s\. Run of/);
            expect(suiteSummary({ ...results.suite, stages: [] })).to.match(/in 9 min 41 s\. Run of/);
        });

        it("writes durations in seconds below a minute, minutes and seconds above", () => {
            expect([duration(0.4), duration(59.4), duration(60), duration(581)]).to.deep.equal(["0 s", "59 s", "1 min 0 s", "9 min 41 s"]);
        });
    });

    describe("the blocks of a page", () => {
        it("replaces each block's text and leaves the prose around it", () => {
            const rendered = renderPage("p.md", page("drill-table", "suite-summary"), results);
            expect(rendered).not.to.include("stale text");
            expect(rendered).to.include(`${openingMarker("drill-table")}\n${drillTable(results.drills)}\n<!-- end generated -->\n\nprose after`);
            expect(rendered).to.include(`${openingMarker("suite-summary")}\n${suiteSummary(results.suite)}\n<!-- end generated -->`);
            expect(rendered.startsWith("# A page\n\n")).to.equal(true);
            expect(renderPage("p.md", rendered, results)).to.equal(rendered);
        });

        it("names each block whose text differs from its result file", () => {
            const rendered = renderPage("p.md", page("drill-table", "suite-summary"), results);
            expect(staleBlocks("p.md", rendered, results)).to.deep.equal([]);
            expect(staleBlocks("p.md", rendered.replace("| 4557 |", "| 4558 |"), results)).to.deep.equal(["drill-table"]);
            expect(staleBlocks("p.md", page("drill-table", "suite-summary"), results)).to.deep.equal(["drill-table", "suite-summary"]);
        });

        it("refuses an unknown block, a marker naming the wrong result file, and a block without its end, naming the page", () => {
            const unknown = "<!-- generated by npm run docs:results from docs/results/drills.json (drill-chart): do not edit -->\n<!-- end generated -->";
            expect(() => renderPage("docs/x.md", unknown, results)).to.throw(/docs\/x\.md: unknown generated block "drill-chart"/);
            const wrongFile = openingMarker("drill-table").replace("drills.json", "bench.json") + "\n<!-- end generated -->";
            expect(() => renderPage("docs/x.md", wrongFile, results)).to.throw(/docs\/x\.md: block drill-table is rendered from docs\/results\/drills\.json, not bench\.json/);
            const unended = `${openingMarker("drill-table")}\n${openingMarker("suite-summary")}\n<!-- end generated -->`;
            expect(() => renderPage("docs/x.md", unended, results)).to.throw(/docs\/x\.md: block drill-table has no "<!-- end generated -->"/);
        });
    });

    describe("the committed pages", () => {
        it("hold exactly what docs/results/*.json render (else run npm run docs:results)", () => {
            const committed = readResults();
            const stale = pages().flatMap((p) => staleBlocks(p, readPage(p), committed).map((block) => `${p}: block ${block}`));
            expect(stale, "pages whose figures differ from their result file: run npm run docs:results").to.deep.equal([]);
        });

        it("carry every generated block somewhere", () => {
            const used = new Set(pages().flatMap((p) => findBlocks(p, readPage(p)).map((found) => found.block)));
            expect([...used].sort()).to.deep.equal(Object.keys(blocks).sort());
        });

        it("have every drill timeline the drill results link to", () => {
            const missing = timelineFiles(readResults().drills).filter((f) => !fs.existsSync(path.join(docsResultsDir, f)));
            expect(missing, "timelines missing from docs/results/").to.deep.equal([]);
        });
    });
});

describe("npm run docs:results takes only a whole drill run", () => {
    it("takes a run of every drill, and neither a re-run of a few nor a file that does not say", () => {
        expect(partialRun("drills", { only: [] })).to.equal(undefined);
        expect(partialRun("drills", { only: ["8", "29"] })).to.equal("ran drills 8, 29 only");
        expect(partialRun("drills", {})).to.equal("does not say which drills it ran");
        expect(partialRun("bench", {})).to.equal(undefined);
    });
});

describe("the README's bench line", () => {
    it("names the serving path's ratio and every host's rollout seconds, or says the run to make", () => {
        const withFigures = {
            ...results.bench, servingPathVsApp: 0.64,
            rollouts: [{ hostCount: 2, perHost: { "host-a": 12.3, "host-b": 7.7 }, requests: 900, failures: 0 }],
        };
        expect(benchSummary(withFigures)).to.match(/^The host's serving path \(nginx -> app\) answers \*\*0\.64\*\* of the app alone's requests\/s; .* over 2 hosts \(host-a 12\.3 s, host-b 7\.7 s; 0 of 900 requests failed\)\. Run of 2025-03-04/);
        expect(benchSummary(results.bench)).to.include("run `npm run bench`");
    });
});
