import { expect } from "chai";
import { failed, Sample, summarize } from "../../local/load/sample";

function sample(status: number, latencyMs: number, version?: string): Sample {
    return { sentAt: 0, latencyMs, connection: "keep-alive", method: "GET", path: "/", status, version };
}

describe("drill load summaries", () => {
    it("counts anything but a 200, and socket errors, as failed", () => {
        expect(failed(sample(200, 1))).to.equal(false);
        expect(failed(sample(502, 1))).to.equal(true);
        expect(failed(sample(0, 1))).to.equal(true);
    });

    it("reports requests, failures, p50/p99 and the versions served", () => {
        const samples = [...Array.from({ length: 99 }, (_, i) => sample(200, i + 1, "v2")), sample(503, 1000)];
        expect(summarize(samples)).to.deep.equal({
            requests: 100, failures: 1, p50Ms: 50, p99Ms: 99, versions: { v2: 99 }, writes: { acknowledged: 0, failed: 0 },
        });
    });

    it("counts a write as acknowledged only with a 201 and an id, and anything else as a failed write", () => {
        const write = (status: number, id?: number): Sample => ({ ...sample(status, 1), method: "POST", path: "/api/notes", write: { text: "t", id } });
        const samples = [write(201, 7), write(201, 8), write(503), write(0), write(200), sample(200, 1)];
        expect(samples.map(failed)).to.deep.equal([false, false, true, true, true, false]);
        expect(summarize(samples).writes).to.deep.equal({ acknowledged: 2, failed: 3 });
    });
});
