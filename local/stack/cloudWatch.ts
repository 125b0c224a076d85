import * as fs from "fs";
import * as path from "path";
import { AlarmSpec } from "../../components/plan/alarms";
import { diskUseAlarm, MetricsDestination } from "../../components/plan/diskUse";
import { metricsNamespace } from "../../components/plan/operationsNames";
import { defaults } from "../../components/plan/settings";
import { AlarmEvaluation, Datapoint, evaluateAlarm } from "./alarmState";
import { ensureContainer, removeContainer, waitFor } from "./containers";
import { canConnect } from "./hosts";
import { baseImages } from "./images";
import { currentMachine } from "./machines";
import { stateDir } from "./stackLayout";

/**
 * The local stack's CloudWatch: a container (cloudWatchStandIn.js) that takes the hosts'
 * `aws cloudwatch put-metric-data` and keeps every datapoint; alarms are evaluated here, from the
 * alarm definitions the Pulumi program gives CloudWatch (plan/diskUse.ts), with the stack's default
 * threshold. Only the timing is shorter, so a drill sees an alarm within seconds: 10 s periods,
 * which CloudWatch also takes (high-resolution metrics), 2 of them above the threshold.
 */
export const cloudWatchStandIn = { container: "ha-web-cloudwatch", port: 4582 };

const dataDir = path.join(stateDir, "cloudwatch");
const datapointsFile = path.join(dataDir, "datapoints.jsonl");

/** Where the local hosts' ha-web-disk-use publishes: the stand-in, in the namespace a stack named `local` would have. */
export const localMetrics: MetricsDestination = {
    region: "us-east-1",
    namespace: metricsNamespace("local"),
    timing: { periodSeconds: 10, evaluationPeriods: 2 },
    standInUrl: `http://127.0.0.1:${cloudWatchStandIn.port}`,
};

export async function ensureCloudWatch(): Promise<void> {
    fs.mkdirSync(dataDir, { recursive: true });
    await ensureContainer({
        name: cloudWatchStandIn.container,
        image: baseImages.node,
        runArgs: [
            "--network", "host", "--restart", "unless-stopped",
            "-v", `${path.join(__dirname, "cloudWatchStandIn.js")}:/cloud-watch-stand-in.js:ro`,
            "-v", `${dataDir}:/data`,
        ],
        command: ["node", "/cloud-watch-stand-in.js", String(cloudWatchStandIn.port), "/data/datapoints.jsonl"],
    });
    await waitFor(`the CloudWatch stand-in on 127.0.0.1:${cloudWatchStandIn.port}`, 15, () => canConnect(cloudWatchStandIn.port));
}

export async function removeCloudWatch(): Promise<void> {
    await removeContainer(cloudWatchStandIn.container);
}

/** Every datapoint the stand-in received (none before the first). */
export function receivedDatapoints(): Datapoint[] {
    if (!fs.existsSync(datapointsFile)) return [];
    return fs.readFileSync(datapointsFile, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Datapoint);
}

/** The host's disk-use alarm as the Pulumi program defines it, for the host's current machine. */
export function localDiskAlarm(host: string): AlarmSpec<string> {
    const machine = currentMachine(host);
    if (!machine) throw new Error(`${host} has no machine yet: run npx ha-web up`);
    return diskUseAlarm({ name: host, instanceId: machine.instanceId }, localMetrics.namespace, defaults.alarmDiskUsedPercent, localMetrics.timing);
}

export interface DiskAlarmReading extends AlarmEvaluation {
    spec: AlarmSpec<string>;
    /** The latest value the host published, if any. */
    latest?: Datapoint;
}

export function readDiskAlarm(host: string, now = Date.now()): DiskAlarmReading {
    const spec = localDiskAlarm(host);
    const datapoints = receivedDatapoints();
    const latest = datapoints.filter((d) => d.dimensions.InstanceId === spec.dimensions.InstanceId && d.metricName === spec.metricName).at(-1);
    return { spec, latest, ...evaluateAlarm(spec, datapoints, now) };
}

/** `status`'s lines: each launched host's disk use and its alarm's state, as the stand-in has them. */
export function diskAlarmLines(hosts: readonly string[]): string[] {
    return hosts.filter((host) => currentMachine(host) !== undefined).map((host) => {
        const { spec, latest, state } = readDiskAlarm(host);
        const use = latest ? `${latest.value}% used` : "nothing published yet";
        return `${host} disk: ${use}; alarm ${spec.name} ${state} (above ${spec.threshold}% for ${spec.evaluationPeriods} x ${spec.periodSeconds} s)`;
    });
}
