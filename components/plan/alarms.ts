import { diskUseAlarm, diskUseTiming } from "./diskUse";
import { Settings } from "./settings";

/** What an alarm does besides notifying the alert topic: nothing, or an EC2 action on its host. */
export type AlarmAction = "notify" | "recover" | "reboot";

export type Comparison = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";

/** One CloudWatch alarm as data; components/monitoring.ts creates one MetricAlarm per spec. */
export interface AlarmSpec<V> {
    /** Unique within the stack; also the alarm's name after the stack prefix. */
    name: string;
    /** What is wrong and where to look first: the first thing the person paged reads. */
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, V>;
    statistic?: "Sum" | "Average" | "Minimum" | "Maximum";
    /** A percentile such as p99, instead of a statistic. */
    extendedStatistic?: string;
    periodSeconds: number;
    evaluationPeriods: number;
    threshold: number;
    comparison: Comparison;
    /** No data for a count of errors means no errors; for a health signal it means "unknown", not OK. */
    treatMissingData: "notBreaching" | "missing";
    action: AlarmAction;
}

/** What the alarms and the dashboard watch, by the dimension values CloudWatch knows them by. */
export interface WatchedResources<V> {
    /** `app/<name>/<id>`: the load balancer's ARN suffix. */
    loadBalancer: V;
    /** `targetgroup/<name>/<id>`. */
    targetGroup: V;
    dbInstanceId: V;
    fileSystemId: V;
    hosts: { name: string; instanceId: V }[];
}

export interface AlarmTargets<V> extends WatchedResources<V> {
    /** The app's CloudWatch Logs group, named in descriptions. */
    logGroup: string;
    /** Where the hosts publish their own metrics (disk use): `ha-web/<stack>`. */
    metricsNamespace: string;
}

const gib = 1024 ** 3;

/**
 * Every alarm of the stack: the load balancer's view of the hosts and of users' requests, the
 * database, EFS, and per host its disk use and the two EC2 status checks that heal it (recover on a failed system
 * check, which moves the instance to healthy hardware; reboot on a failed instance check). Both keep
 * the instance id, Elastic IP and volume, so Pulumi's state stays true.
 */
export function alarmSpecs<V>(targets: AlarmTargets<V>, thresholds: Settings["monitoring"], hostCount: number): AlarmSpec<V>[] {
    const lb = { LoadBalancer: targets.loadBalancer };
    const tg = { TargetGroup: targets.targetGroup, LoadBalancer: targets.loadBalancer };
    const hostLook = "`aws elbv2 describe-target-health --target-group-arn $(pulumi stack output targetGroupArn)` names the host; "
        + "on it: `curl -si localhost/ping`, `sudo docker ps`, `sudo ls /var/log/ha-web/steps/`";
    const appLogs = `the app's logs: log group ${targets.logGroup}`;
    return [
        {
            name: "unhealthy-hosts", namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: tg,
            statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 1, threshold: 1, comparison: "GreaterThanOrEqualToThreshold",
            treatMissingData: "missing", action: "notify",
            description: `A host fails the load balancer's health check (GET /ping through nginx to the app). ${hostLook}; ${appLogs}. `
                + "A host drained on purpose (ha-web-drain) raises it too.",
        },
        {
            name: "too-few-healthy-hosts", namespace: "AWS/ApplicationELB", metricName: "HealthyHostCount", dimensions: tg,
            statistic: "Minimum", periodSeconds: 60, evaluationPeriods: 1, threshold: hostCount, comparison: "LessThanThreshold",
            treatMissingData: "missing", action: "notify",
            description: `Fewer than ${hostCount} hosts serve: the pool runs without its spare. ${hostLook}. `
                + "Runbook: README, \"A host died at 3 a.m.\".",
        },
        {
            name: "lb-5xx", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb,
            statistic: "Sum", periodSeconds: 60, evaluationPeriods: 1, threshold: thresholds.http5xxPerMinute, comparison: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching", action: "notify",
            description: `The load balancer itself answered ${thresholds.http5xxPerMinute}+ 5xx in a minute (502/503/504: no healthy host, `
                + `a host closed the connection, or timed out). Look at healthy hosts on the dashboard, then ${hostLook}; access logs in the stack's S3 bucket.`,
        },
        {
            name: "app-5xx", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: lb,
            statistic: "Sum", periodSeconds: 60, evaluationPeriods: 1, threshold: thresholds.http5xxPerMinute, comparison: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching", action: "notify",
            description: `The hosts answered ${thresholds.http5xxPerMinute}+ 5xx in a minute: the app fails requests. Look at ${appLogs} `
                + "(CloudWatch Logs Insights: filter status >= 500), then the database alarms; a release just deployed? Roll back (README).",
        },
        {
            name: "p99-latency", namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: lb,
            extendedStatistic: "p99", periodSeconds: 60, evaluationPeriods: 3, threshold: thresholds.p99LatencyMs / 1000, comparison: "GreaterThanThreshold",
            treatMissingData: "notBreaching", action: "notify",
            description: `The slowest 1% of requests took over ${thresholds.p99LatencyMs} ms for 3 minutes. Look at the dashboard: `
                + `per-host CPU, database CPU and connections; ${appLogs}.`,
        },
        {
            name: "db-cpu", namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: { DBInstanceIdentifier: targets.dbInstanceId },
            statistic: "Average", periodSeconds: 60, evaluationPeriods: 5, threshold: thresholds.dbCpuPercent, comparison: "GreaterThanThreshold",
            treatMissingData: "missing", action: "notify",
            description: `Database CPU above ${thresholds.dbCpuPercent}% for 5 minutes. Look at RDS Performance Insights or the slow query log `
                + "for the queries; a bigger dbInstanceClass is a config change (brief failover on Multi-AZ).",
        },
        {
            name: "db-free-storage", namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: { DBInstanceIdentifier: targets.dbInstanceId },
            statistic: "Minimum", periodSeconds: 300, evaluationPeriods: 1, threshold: thresholds.dbFreeStorageGb * gib, comparison: "LessThanThreshold",
            treatMissingData: "missing", action: "notify",
            description: `Database free storage below ${thresholds.dbFreeStorageGb} GiB: a full disk stops writes. Raise dbAllocatedStorageGb `
                + "and pulumi up (online, no downtime); look for what grew (tables, binary logs).",
        },
        {
            name: "db-connections", namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: { DBInstanceIdentifier: targets.dbInstanceId },
            statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 5, threshold: thresholds.dbConnections, comparison: "GreaterThanThreshold",
            treatMissingData: "missing", action: "notify",
            description: `More than ${thresholds.dbConnections} database connections for 5 minutes, near the instance class's limit. `
                + `Look at SHOW PROCESSLIST (as dbAdminUser, from a host) and ${appLogs} for connection errors.`,
        },
        {
            name: "efs-io-limit", namespace: "AWS/EFS", metricName: "PercentIOLimit", dimensions: { FileSystemId: targets.fileSystemId },
            statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 5, threshold: thresholds.efsIoLimitPercent, comparison: "GreaterThanThreshold",
            treatMissingData: "notBreaching", action: "notify",
            description: `EFS at ${thresholds.efsIoLimitPercent}% of its I/O limit for 5 minutes: /shared slows every host. `
                + "Look at what writes under /shared/data on the hosts (`sudo du -sh /shared/*`) and the EFS console's metrics.",
        },
        ...targets.hosts.flatMap((host): AlarmSpec<V>[] => [
            diskUseAlarm(host, targets.metricsNamespace, thresholds.diskUsedPercent, diskUseTiming),
            {
                name: `${host.name}-system-check`, namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: host.instanceId },
                statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 2, threshold: 1, comparison: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing", action: "recover",
                description: `${host.name}'s hardware or AWS's network for it failed (system status check): EC2 recovers it onto healthy hardware, `
                    + "same instance id, Elastic IP and volume, and it rejoins by itself. If it does not within 15 minutes: README, \"A host died at 3 a.m.\".",
            },
            {
                name: `${host.name}-instance-check`, namespace: "AWS/EC2", metricName: "StatusCheckFailed_Instance", dimensions: { InstanceId: host.instanceId },
                statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 3, threshold: 1, comparison: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing", action: "reboot",
                description: `${host.name}'s operating system stopped answering (instance status check): EC2 reboots it; Docker starts after /shared `
                    + "and the app comes back by itself. If it keeps failing: the instance's system log (`aws ec2 get-console-output`), then README, \"A host died at 3 a.m.\".",
            },
        ]),
    ];
}

/** The alarm actions of a spec: always the alert topic, plus the EC2 action (CloudWatch's automate ARNs). */
export function alarmActions<V>(action: AlarmAction, topicArn: V, region: string): (V | string)[] {
    return action === "notify" ? [topicArn] : [`arn:aws:automate:${region}:ec2:${action}`, topicArn];
}
