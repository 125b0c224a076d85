import { ChildProcess, spawn, spawnSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MetricsDestination } from "../../components/plan/diskUse";
import { renderDiskUseFiles } from "../../components/plan/hostConfigFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { probe } from "../../local/http/probe";
import { Datapoint } from "../../local/stack/alarmState";
import { localMetrics } from "../../local/stack/cloudWatch";
import { freePort } from "../support/mariadb";

/** Debian 12's AWS CLI, the package bootstrap installs on every host (scripts/setup-machine.sh installs it here). */
const debianAwsCli = "/usr/bin/aws";

/**
 * ha-web-disk-use as the host plan renders it, run with this machine's df and Debian's AWS CLI,
 * publishing to the CloudWatch stand-in the local stack runs (started here on a port of its own).
 */
describe("ha-web-disk-use publishes disk use through the AWS CLI to the CloudWatch stand-in", function () {
    this.timeout(60_000);
    let dir: string;
    let standIn: ChildProcess;
    let metrics: MetricsDestination;
    const datapointsFile = () => path.join(dir, "datapoints.jsonl");
    const received = (): Datapoint[] => fs.existsSync(datapointsFile())
        ? fs.readFileSync(datapointsFile(), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Datapoint) : [];

    before(async () => {
        if (!fs.existsSync(debianAwsCli)) throw new Error(`${debianAwsCli} is missing: apt-get install -y --no-install-recommends awscli (scripts/setup-machine.sh)`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-disk-use-"));
        const port = await freePort();
        metrics = { ...localMetrics, standInUrl: `http://127.0.0.1:${port}` };
        standIn = spawn("node", [path.join(__dirname, "..", "..", "local", "stack", "cloudWatchStandIn.js"), String(port), datapointsFile()], { stdio: "pipe" });
        await new Promise<void>((resolve, reject) => {
            standIn.stdout!.once("data", () => resolve());
            standIn.once("exit", (code) => reject(new Error(`the stand-in exited with ${code}`)));
        });
    });
    after(() => {
        standIn?.kill();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The rendered script, run as its unit runs it: the unit's Environment= lines, PATH with Debian's CLI first. */
    function runDiskUse(instanceId: string | undefined) {
        const idFile = path.join(dir, "instance-id");
        if (instanceId === undefined) fs.rmSync(idFile, { force: true });
        else fs.writeFileSync(idFile, `${instanceId}\n`);
        const files = renderDiskUseFiles(metrics, { ...hostPaths, cloudInstanceIdFile: idFile });
        const unitEnv = Object.fromEntries([...files.diskUseUnit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
        const script = path.join(dir, "ha-web-disk-use");
        fs.writeFileSync(script, files.diskUseScript, { mode: 0o755 });
        return spawnSync(script, { encoding: "utf8", env: { PATH: `/usr/bin:/bin:/usr/sbin:/sbin`, ...unitEnv } });
    }

    it("publishes the root file system's used percent, as df counts it, under the host's instance id", () => {
        const result = runDiskUse("i-0123456789abcdef0");
        expect(result.status, result.stderr).to.equal(0);
        const [used, avail] = spawnSync("df", ["--block-size=1", "--output=used,avail", "/"], { encoding: "utf8" }).stdout.split("\n")[1].trim().split(/\s+/).map(Number);
        const expected = Math.round((1000 * used) / (used + avail)) / 10;
        const [point] = received();
        expect(point).to.deep.include({ namespace: "ha-web/local", metricName: "DiskUsedPercent", unit: "Percent", dimensions: { InstanceId: "i-0123456789abcdef0" } });
        expect(point.value).to.be.closeTo(expected, 0.2);
        expect(result.stdout).to.match(/^ha-web-disk-use: \/ \d+\.\d%.*; published \d+\.\d \(\/\) for i-0123456789abcdef0$/m);
    });

    it("refuses to publish without cloud-init's instance id, which the alarm watches the host by", () => {
        const before = received().length;
        const result = runDiskUse(undefined);
        expect(result.status).to.equal(1);
        expect(result.stderr).to.contain("no EC2 instance id in").and.contain("Has cloud-init run?");
        expect(received()).to.have.length(before);
    });

    it("the stand-in refuses an unsigned request, as CloudWatch does", async () => {
        const reply = await probe(`${metrics.standInUrl}/`, { timeoutMs: 3000 });
        expect(reply.status).to.equal(403);
    });
});
