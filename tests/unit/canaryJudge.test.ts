import { expect } from "chai";
import { spawnSync } from "child_process";
import { readTemplate } from "../../components/plan/render";
import { healthCheck } from "../../components/plan/healthCheck";

/** One access-log line as nginx writes it with the site's ha_web_json format (files/nginx-site.conf). */
interface Logged {
    time: string;
    status?: number;
    ms?: number;
    upstream?: string;
    path?: string;
    userAgent?: string;
}

function logLine({ time, status = 200, ms = 10, upstream = "127.0.0.1:3000", path = "/", userAgent = "load/1" }: Logged): string {
    return JSON.stringify({
        time: `${time}+00:00`, client: "127.0.0.1", method: "GET", path, status, bytes: 12, seconds: ms / 1000,
        upstream, upstream_status: upstream === "" ? "" : String(status), user_agent: userAgent,
    }).replace(`"seconds":${ms / 1000}`, `"seconds":${(ms / 1000).toFixed(3)}`);
}

/** `count` requests in the second `time`, the `every`-th (1-based) of them with `other`'s values. */
function requests(time: string, count: number, base: Partial<Logged> = {}, every = 0, other: Partial<Logged> = {}): string[] {
    return Array.from({ length: count }, (_, i) => logLine({ time, ...base, ...(every > 0 && (i + 1) % every === 0 ? other : {}) }));
}

const oldSecond = "2026-12-06T05:00:10";
const settleSecond = "2026-12-06T05:00:21";
const newSecond = "2026-12-06T05:00:25";
const windows = ["2026-12-06T05:00:00", "2026-12-06T05:00:20", "2026-12-06T05:00:23", "2026-12-06T05:00:33"];
const limits = { minRequests: 100, maxPoints: 1, maxRatio: 1.5, slackMs: 20 };

function judge(lines: string[], overrides: Partial<typeof limits> = {}): string {
    const l = { ...limits, ...overrides };
    const args = [...windows, l.minRequests, l.maxPoints, l.maxRatio, l.slackMs, healthCheck.userAgentPrefix].map((a) => `'${a}'`).join(" ");
    const result = spawnSync("bash", ["-c", `set -euo pipefail\n${readTemplate("lib/canary-judge.sh")}\ncanary_judge ${args}\n`],
        { input: lines.join("\n") + "\n", encoding: "utf8" });
    expect(result.status, result.stderr).to.equal(0);
    return result.stdout.trim();
}

describe("canary_judge (files/lib/canary-judge.sh) over generated access logs", () => {
    it("passes a release whose 5xx share and p99 match the old one's", () => {
        const verdict = judge([...requests(oldSecond, 200), ...requests(newSecond, 200)]);
        expect(verdict).to.equal("fine 5xx share 0.0% against 0.0%, p99 10 ms against 10 ms (200 requests to the old colour, 200 to the new one)");
    });

    it("refuses a release failing one request in ten with 500, naming the share, the rise and the limit", () => {
        const verdict = judge([...requests(oldSecond, 200), ...requests(newSecond, 200, {}, 10, { status: 500 })]);
        expect(verdict).to.equal("worse 5xx share 10.0% on the new colour against 0.0% on the old one: +10.0 points, the limit is +1 "
            + "(200 requests to the old colour, 200 to the new one)");
    });

    it("compares with the old colour's own errors: the same 5xx share before and after is not worse", () => {
        const failing = { status: 503 };
        expect(judge([...requests(oldSecond, 200, {}, 20, failing), ...requests(newSecond, 200, {}, 20, failing)])).to.match(/^fine 5xx share 5\.0% against 5\.0%/);
    });

    it("refuses a release three times slower, naming both p99s and the ratio", () => {
        const verdict = judge([...requests(oldSecond, 200, { ms: 12 }), ...requests(newSecond, 200, { ms: 36 })]);
        expect(verdict).to.equal("worse p99 latency 36 ms on the new colour against 12 ms on the old one: 3.0x, the limit is 1.5x "
            + "(200 requests to the old colour, 200 to the new one)");
    });

    it("takes the 99th percentile, not the slowest request: one slow request in 200 is not worse", () => {
        expect(judge([...requests(oldSecond, 200), ...requests(newSecond, 200, {}, 200, { ms: 900 })])).to.match(/^fine .* p99 10 ms against 10 ms/);
        expect(judge([...requests(oldSecond, 200), ...requests(newSecond, 200, {}, 50, { ms: 900 })])).to.match(/^worse p99 latency 900 ms/);
    });

    it("does not call a slower release worse within the slack: 3 ms against 1 ms", () => {
        expect(judge([...requests(oldSecond, 200, { ms: 1 }), ...requests(newSecond, 200, { ms: 3 })])).to.match(/^fine /);
        expect(judge([...requests(oldSecond, 200, { ms: 1 }), ...requests(newSecond, 200, { ms: 3 })], { slackMs: 1 })).to.match(/^worse p99 latency 3 ms/);
    });

    it("says too-few, with both counts, when either colour has fewer requests than the minimum", () => {
        expect(judge([...requests(oldSecond, 200), ...requests(newSecond, 99, { status: 500 })]))
            .to.equal("too-few 200 requests to the old colour and 99 to the new one, fewer than the 100 each needs to judge");
        expect(judge([...requests(oldSecond, 50), ...requests(newSecond, 200)])).to.match(/^too-few 50 requests to the old colour and 200/);
        expect(judge([])).to.match(/^too-few 0 requests to the old colour and 0/);
    });

    it("counts neither the settle time after the switch nor lines outside the windows", () => {
        const outside = [...requests("2026-12-06T04:59:59", 50, { status: 500 }), ...requests(settleSecond, 50, { status: 500 }),
            ...requests("2026-12-06T05:00:33", 50, { status: 500 })];
        expect(judge([...outside, ...requests(oldSecond, 200), ...requests(newSecond, 200)])).to.match(/^fine 5xx share 0\.0% against 0\.0%/);
    });

    it("leaves out the load balancer's health checks and requests nginx answered itself (no upstream)", () => {
        const notUsers = [...requests(newSecond, 100, { userAgent: `${healthCheck.userAgentPrefix}/2.0`, status: 500 }),
            ...requests(newSecond, 100, { upstream: "", status: 503 })];
        expect(judge([...requests(oldSecond, 200), ...notUsers, ...requests(newSecond, 200)])).to.match(/^fine .*200 to the new one\)$/);
    });

    it("is not fooled by a path or User-Agent that spells a field: nginx escapes their quotes", () => {
        const spoofed = requests(newSecond, 200, { path: "/\"status\":500,\"x", userAgent: `x","user_agent":"${healthCheck.userAgentPrefix}` }, 10, { status: 500 });
        expect(judge([...requests(oldSecond, 200), ...spoofed])).to.match(/^worse 5xx share 10\.0%/);
    });
});
