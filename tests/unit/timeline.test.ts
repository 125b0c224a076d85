import { expect } from "chai";
import { Sample } from "../../local/load/sample";
import { marksFrom, perSecond, renderTimeline } from "../../local/drills/timeline";

const start = 1_000_000;
function sample(offsetMs: number, latencyMs: number, status = 200): Sample {
    return { sentAt: start + offsetMs, latencyMs, status, connection: "keep-alive", method: "GET", path: "/" };
}

describe("a drill's timeline", () => {
    it("counts requests, failures and p99 by the second they were sent in, empty seconds included", () => {
        const seconds = perSecond([sample(100, 3), sample(900, 5), sample(2500, 40, 503), sample(2600, 7)], start);
        expect(seconds).to.deep.equal([
            { requests: 2, failures: 0, p99Ms: 5 },
            { requests: 0, failures: 0, p99Ms: 0 },
            { requests: 2, failures: 1, p99Ms: 40 },
        ]);
    });

    it("draws one bar per non-empty second in each panel and a labelled line per mark", () => {
        const seconds = perSecond([sample(100, 3), sample(2500, 40, 503)], start);
        const svg = renderTimeline("9 host cut", seconds, marksFrom([{ at: start + 2000, label: "cut host-a" }], start));
        expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).to.equal(true);
        expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
        const panel = (name: string) => svg.split(`data-panel="${name}"`)[1].split("</g>")[0];
        expect(panel("requests/s").match(/<rect /g)).to.have.length(2);
        expect(panel("failures/s").match(/<rect /g)).to.have.length(1);
        expect(panel("failures/s")).to.include("<title>2 s: 1</title>");
        expect(svg.match(/class="mark"/g)).to.have.length(1);
        expect(svg).to.include(">cut host-a</text>");
    });

    it("escapes text, so a label cannot break the SVG", () => {
        const svg = renderTimeline("a <b> & \"c\"", [], [{ second: 0, label: "x<y" }]);
        expect(svg).to.include("a &lt;b&gt; &amp; &quot;c&quot;").and.include("x&lt;y");
        expect(svg).not.to.include("<b>");
    });
});
