import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readTemplate } from "../../components/plan/render";

/**
 * canary_release (files/lib/canary-watch.sh) as ha-web-deploy runs it, over an access log the test
 * writes while it watches. The live-port command and stop_colour are the harness's own: they record
 * what the canary asked for (the real ones run in drills 26-28 on the local stack).
 */
interface Run { status: number; stdout: string; stderr: string; calls: string[]; evidence: string[] }

/** `lines(second)`: the access log lines written for each second after the switch (negative: before it). */
function canaryRun(spec: string, lines: (second: number) => string[], windowSeconds: number): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-canary-"));
    try {
        const accessLog = path.join(dir, "access.log");
        const calls = path.join(dir, "calls");
        const now = Math.floor(Date.now() / 1000);
        // The old colour's window before the switch, then the new one's seconds (written ahead: the canary
        // reads the file only after its window).
        const logged: string[] = [];
        for (let second = -windowSeconds; second <= windowSeconds * 5 + 3; second++) {
            // As nginx writes $time_iso8601 on a host whose time zone is UTC (the script runs with TZ=UTC).
            const time = new Date((now + second) * 1000).toISOString().slice(0, 19);
            for (const line of lines(second)) logged.push(line.replace("TIME", `${time}+00:00`));
        }
        fs.writeFileSync(accessLog, logged.join("\n") + "\n");
        const script = [
            "set -euo pipefail",
            `HOST_NAME=host-t IMAGE=app:new ACCESS_LOG='${accessLog}' CANARY_LOG_DIR='${dir}/canary' CHECKER_USER_AGENT=ELB-HealthChecker SETTLE_SECONDS=0`,
            `LIVE_COMMAND='${dir}/live'`,
            `printf '#!/bin/sh\\necho "live $*" >>"${calls}"\\n' >"$LIVE_COMMAND"; chmod +x "$LIVE_COMMAND"`,
            'log() { echo "ha-web-deploy: $*"; }',
            'port_of() { if [[ "$1" == blue ]]; then echo 3001; else echo 3002; fi; }',
            `stop_colour() { echo "stop $1" >>"${calls}"; }`,
            readTemplate("lib/canary-watch.sh"),
            `read_canary_spec '${spec}'`,
            'if canary_release green blue app:old; then echo "kept green"; else echo "refused: ${CANARY_REFUSAL}"; fi',
        ].join("\n");
        const result = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
        const evidenceDir = path.join(dir, "canary");
        return {
            status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr,
            calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [],
            evidence: fs.existsSync(evidenceDir) ? fs.readdirSync(evidenceDir).map((f) => fs.readFileSync(path.join(evidenceDir, f), "utf8")) : [],
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const line = (status: number) => `{"time":"TIME","client":"127.0.0.1","method":"GET","path":"/","status":${status},"bytes":3,"seconds":0.004,`
    + `"upstream":"127.0.0.1:3000","upstream_status":"${status}","user_agent":"load"}`;
/** 20 requests a second; after the switch every `failEvery`-th fails with 500. */
const traffic = (failEvery: number) => (second: number) => Array.from({ length: 20 }, (_, i) => line(second > 0 && failEvery > 0 && i % failEvery === 0 ? 500 : 200));

describe("canary_release (files/lib/canary-watch.sh)", function () {
    this.timeout(30_000);

    it("keeps a release that is not worse: the live port moved once, nothing stopped, the verdict kept", () => {
        const run = canaryRun("2:20:pass:1:1.5:20", traffic(0), 2);
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stdout).to.contain("kept green");
        expect(run.stdout).to.match(/canary: app:new is not worse than app:old: 5xx share 0\.0% against 0\.0%/);
        expect(run.calls).to.deep.equal(["live set 3002"]);
        expect(run.evidence).to.have.length(1);
        expect(run.evidence[0]).to.match(/^# host-t: canary of app:new: fine /);
    });

    it("rolls a worse release back: the live port back to the old colour, then the new one stopped, the refusal naming figure and evidence", () => {
        const run = canaryRun("2:20:pass:1:1.5:20", traffic(10), 2);
        expect(run.status, run.stderr).to.equal(0);
        expect(run.calls).to.deep.equal(["live set 3002", "live set 3001", "stop green"]);
        expect(run.stdout).to.match(/refused: canary refused app:new on host-t: 5xx share 10\.0% on the new colour against 0\.0% on the old one: \+10\.0 points, the limit is \+1 .*; the evidence \(verdict and the access log lines judged\) is in \S+canary\/\S+-host-t\.log on host-t/);
        expect(run.evidence[0]).to.match(/# canary refused app:new on host-t: 5xx share .*; rolled back to blue\n$/);
        expect(run.evidence[0].split("\n").filter((l) => l.startsWith("{")).length).to.be.greaterThan(40);
    });

    it("with too few requests and pass: goes on, saying so", () => {
        const run = canaryRun("2:1000:pass:1:1.5:20", traffic(10), 2);
        expect(run.stdout).to.contain("kept green");
        expect(run.stdout).to.match(/too little traffic to judge app:new \(\d+ requests to the old colour and \d+ to the new one, fewer than the 1000 each needs to judge\); canaryTooFewRequests is pass/);
        expect(run.calls).to.deep.equal(["live set 3002"]);
    });

    it("with too few requests and wait: watches window after window, then refuses and rolls back", () => {
        const run = canaryRun("1:1000:wait:1:1.5:20", traffic(0), 1);
        expect(run.stdout.match(/watching another 1s/g)).to.have.length(3);
        expect(run.stdout).to.match(/refused: canary refused app:new on host-t: too little traffic to judge after 4 windows of 1s .* canaryTooFewRequests is wait/);
        expect(run.calls).to.deep.equal(["live set 3002", "live set 3001", "stop green"]);
    });

    it("refuses a spec that is not SECONDS:MIN:pass|wait:POINTS:RATIO:SLACK, showing the expected form", () => {
        const run = canaryRun("30:100:maybe:1:1.5:20", traffic(0), 1);
        expect(run.status).to.equal(2);
        expect(run.stderr).to.contain("--canary 30:100:maybe:1:1.5:20 is not SECONDS:MIN_REQUESTS:pass|wait:MAX_5XX_POINTS:MAX_P99_RATIO:P99_SLACK_MS");
    });
});
