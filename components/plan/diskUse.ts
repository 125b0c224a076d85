import { AlarmSpec } from "./alarms";

/**
 * Disk use: every host measures its root disk and Docker's data root (files/disk-use.sh, run by a
 * systemd timer) and publishes the fuller one's used percent to CloudWatch; one alarm per host
 * watches it. Measured on the host, so it works the same on AWS and in the local stack, where the
 * hosts publish to a CloudWatch stand-in (local/stack/cloudWatch.ts).
 */
export const diskUseMetric = { name: "DiskUsedPercent", unit: "Percent" } as const;

/** How often a host publishes (one datapoint per period), and how many periods above the threshold page. */
export interface DiskUseTiming {
    periodSeconds: number;
    evaluationPeriods: number;
}

/**
 * On AWS: a datapoint a minute, 5 minutes above the threshold. Images arrive a release at a time, so
 * a disk that stays full for 5 minutes will not empty by itself; a short spike (a build) does not page.
 */
export const diskUseTiming: DiskUseTiming = { periodSeconds: 60, evaluationPeriods: 5 };

/** Where a host's disk-use command publishes. */
export interface MetricsDestination {
    region: string;
    /** `ha-web/<stack>` (operationsNames.ts): the host role may publish into this namespace only. */
    namespace: string;
    timing: DiskUseTiming;
    /** The local CloudWatch stand-in's URL; unset on AWS (the region's endpoint, the instance profile's credentials). */
    standInUrl?: string;
}

/**
 * The hosts' role may publish metrics into the stack's namespace only. PutMetricData has no resource
 * type (Service Authorization Reference, Amazon CloudWatch), so `*` with the cloudwatch:namespace
 * condition key is how it is scoped.
 */
export function hostMetricsPolicy(namespace: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": namespace } },
        }],
    });
}

/** A host's disk-use alarm, by the dimension its command publishes under: its instance id. */
export function diskUseAlarm<V>(host: { name: string; instanceId: V }, namespace: string, thresholdPercent: number, timing: DiskUseTiming): AlarmSpec<V> {
    const minutes = (timing.periodSeconds * timing.evaluationPeriods) / 60;
    return {
        name: `${host.name}-disk-use`, namespace, metricName: diskUseMetric.name, dimensions: { InstanceId: host.instanceId },
        statistic: "Maximum", periodSeconds: timing.periodSeconds, evaluationPeriods: timing.evaluationPeriods,
        threshold: thresholdPercent, comparison: "GreaterThanThreshold",
        // A host that stops publishing shows as insufficient data, not as a full disk: its status checks cover a dead host.
        treatMissingData: "missing", action: "notify",
        description: `${host.name}'s root disk or Docker's data root is over ${thresholdPercent}% full for ${minutes} minutes; `
            + "a full disk stops image builds, deploys and logging. On the host: `sudo journalctl -u ha-web-disk-use` names the file system, "
            + "`sudo docker system df` what Docker holds, `sudo ha-web-deploy --prune` removes old images now. Runbook: docs/operations.md, \"Runbook: the disk alarm fired\".",
    };
}
