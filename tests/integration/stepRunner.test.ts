import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostPaths } from "../../components/plan/hostPaths";
import { stepRunnerScript } from "../../components/plan/stepScripts";
import { amiImage, buildAmiImage } from "../../local/stack/amiImage";
import { dockerBinary } from "../../local/run";
import { requireDockerEngine } from "../support/dockerEngine";

/**
 * ha-web-step on a machine that boots like the hosts (the AMI stand-in, systemd as PID 1, run as
 * the local stack runs its hosts, without a network): each step a transient systemd unit that a
 * dropped session leaves running and a second deployer joins or waits for.
 */
const machine = `ha-web-test-step-runner-${process.pid}`;
const timeoutSeconds = 8;

const steps: Record<string, string> = {
    // Reads its input, then takes 4 s: long enough to drop a session or start a second deployer.
    slow: "read -r line || true\necho \"slow: got ${line}\"\nfor i in 1 2 3 4; do echo \"slow: tick $i\"; sleep 1; done\necho 'slow: done'\n",
    fails: "echo 'fails: about to fail'\nexit 3\n",
};

/** `ha-web-step ARGS` on the machine, as a deployer's SSH session runs it (stdin: the step's inputs). */
function step(args: string[], input = ""): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(dockerBinary, ["exec", "-i", machine, hostPaths.stepRunner, ...args]);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
        child.on("exit", (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
    });
}

function onMachine(command: string): string {
    const result = spawnSync(dockerBinary, ["exec", machine, "bash", "-c", command], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${command}: exit ${result.status}: ${result.stderr}`);
    return result.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ha-web-step runs each step detached, as a systemd unit (a machine booted like the hosts)", function () {
    this.timeout(180_000);
    let dir = "";

    before(async () => {
        await requireDockerEngine();
        await buildAmiImage();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-step-runner-"));
        fs.mkdirSync(path.join(dir, "steps"));
        for (const [name, body] of Object.entries(steps)) {
            fs.writeFileSync(path.join(dir, "steps", `${name}.sh`), `#!/usr/bin/env bash\nset -euo pipefail\n${body}`, { mode: 0o755 });
        }
        fs.writeFileSync(path.join(dir, "ha-web-step"), stepRunnerScript(hostPaths, timeoutSeconds), { mode: 0o755 });
        const run = spawnSync(dockerBinary, [
            "run", "--detach", "--name", machine, "--network", "none",
            "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
            "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock",
            "-v", `${path.join(dir, "steps")}:${hostPaths.stepsDir}:ro`, "-v", `${path.join(dir, "ha-web-step")}:${hostPaths.stepRunner}:ro`,
            amiImage, "/sbin/init",
        ], { encoding: "utf8" });
        expect(run.status, run.stderr).to.equal(0);
        for (let i = 0; i < 60; i++) {
            const state = spawnSync(dockerBinary, ["exec", machine, "systemctl", "is-system-running"], { encoding: "utf8" }).stdout.trim();
            if (state === "running" || state === "degraded") return;
            await sleep(500);
        }
        throw new Error(`${machine}: systemd did not finish booting`);
    });

    after(() => {
        spawnSync(dockerBinary, ["rm", "--force", machine]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("returns the step's output and exit status; a failed step says where its log is, --quiet only that", async () => {
        const ok = await step(["slow"], "X=1\n");
        expect(ok.status, ok.stderr).to.equal(0);
        expect(ok.stdout).to.equal("slow: got X=1\nslow: tick 1\nslow: tick 2\nslow: tick 3\nslow: tick 4\nslow: done\n");
        const failed = await step(["fails"]);
        expect(failed.status).to.equal(3);
        expect(failed.stdout).to.equal("fails: about to fail\n");
        expect(failed.stderr).to.match(/^ha-web-step: fails failed on .* with exit 3; full log on the host: \/var\/log\/ha-web\/steps\/fails\.log\n$/);
        const quiet = await step(["fails", "--quiet"]);
        expect([quiet.status, quiet.stdout]).to.deep.equal([3, ""]);
    });

    it("keeps a step running when its session drops; the next deployer joins it and gets its status", async () => {
        const first = spawn(dockerBinary, ["exec", "-i", machine, hostPaths.stepRunner, "slow"]);
        first.stdin.end("X=2\n");
        await sleep(1500);
        first.kill("SIGKILL");
        const again = await step(["slow"], "X=2\n");
        expect(again.status, again.stderr).to.equal(0);
        expect(again.stdout).to.match(/^slow: got X=2\n(slow: tick \d\n)*ha-web-step: slow already runs on .* with these same inputs .*joined at .*\n(slow: tick \d\n)*slow: done\n$/);
        expect(again.stdout.match(/slow: got/g)).to.have.length(1);
    });

    it("makes a deployer with other inputs wait for the run under way, never run beside it", async () => {
        const first = step(["slow"], "X=3\n");
        await sleep(1500);
        const second = await step(["slow"], "X=4\n");
        const firstDone = await first;
        expect(firstDone.status, firstDone.stderr).to.equal(0);
        expect(firstDone.stdout).to.match(/^slow: got X=3\n[^]*slow: done\n$/);
        expect(second.status, second.stderr).to.equal(0);
        expect(second.stdout).to.match(/^ha-web-step: slow runs on .* for other inputs \(another deployer's\); waiting for it to end before this one starts\nslow: got X=4\n[^]*slow: done\n$/);
        const results = onMachine(`cat ${hostPaths.stepLogDir}/slow.results`).trim().split("\n");
        expect(results.slice(-2).map((line) => line.split(" ").slice(1).join(" "))).to.deep.equal(["success exited 0", "success exited 0"]);
    });

    it("reports a step killed with kill -9 as killed, and keeps none of its inputs", async () => {
        const running = step(["slow"], "X=5\n");
        await sleep(1500);
        onMachine("systemctl kill --signal=SIGKILL ha-web-step-slow");
        const killed = await running;
        expect(killed.status).to.equal(137);
        expect(killed.stderr).to.match(/^ha-web-step: slow on .* was killed by SIGKILL \(signal\); what it did so far is in .*slow\.log\. Run the deploy again: every step converges when re-run\n$/);
        expect(onMachine("ls -A /run/ha-web-step | grep input || true")).to.equal("");
        expect(onMachine("systemctl list-units --all --plain --no-legend 'ha-web-step-*'")).to.equal("");
    });
});
