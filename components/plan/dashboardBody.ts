import { WatchedResources } from "./alarms";
import { diskUseMetric } from "./diskUse";

/** What the dashboard shows (EFS has its own console page; its alarm is enough here). */
export type DashboardTargets = Omit<WatchedResources<string>, "fileSystemId"> & {
    region: string;
    /** Where the hosts publish disk use (plan/diskUse.ts). */
    metricsNamespace: string;
};

type Metric = (string | { stat?: string; label?: string })[];

interface Widget {
    title: string;
    metrics: Metric[];
    stat: string;
}

/** Widgets are 12 wide (two per row) and 6 high, in the order an operator reads them. */
const widgetWidth = 12;
const widgetHeight = 6;

/**
 * The CloudWatch dashboard body (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
 * users' view first (requests, 5xx, p99 latency), then the pool (healthy hosts, per-host CPU and disk use), then the database.
 */
export function dashboardBody(t: DashboardTargets): string {
    const lb = ["LoadBalancer", t.loadBalancer];
    const tg = ["TargetGroup", t.targetGroup, "LoadBalancer", t.loadBalancer];
    const db = ["DBInstanceIdentifier", t.dbInstanceId];
    const widgets: Widget[] = [
        { title: "Requests per minute", stat: "Sum", metrics: [["AWS/ApplicationELB", "RequestCount", ...lb]] },
        {
            title: "5xx per minute (load balancer, app)", stat: "Sum", metrics: [
                ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...lb, { label: "from the load balancer" }],
                ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...lb, { label: "from the app" }],
            ],
        },
        { title: "Response time p99 (seconds)", stat: "p99", metrics: [["AWS/ApplicationELB", "TargetResponseTime", ...lb]] },
        {
            title: "Hosts in rotation", stat: "Minimum", metrics: [
                ["AWS/ApplicationELB", "HealthyHostCount", ...tg, { label: "healthy" }],
                ["AWS/ApplicationELB", "UnHealthyHostCount", ...tg, { stat: "Maximum", label: "unhealthy" }],
            ],
        },
        {
            title: "Host CPU %", stat: "Average",
            metrics: t.hosts.map((h) => ["AWS/EC2", "CPUUtilization", "InstanceId", h.instanceId, { label: h.name }]),
        },
        {
            title: "Host disk used % (root or Docker's data root, the fuller)", stat: "Maximum",
            metrics: t.hosts.map((h) => [t.metricsNamespace, diskUseMetric.name, "InstanceId", h.instanceId, { label: h.name }]),
        },
        { title: "Database CPU %", stat: "Average", metrics: [["AWS/RDS", "CPUUtilization", ...db]] },
        { title: "Database connections", stat: "Maximum", metrics: [["AWS/RDS", "DatabaseConnections", ...db]] },
    ];
    return JSON.stringify({
        widgets: widgets.map((w, i) => ({
            type: "metric",
            x: (i % 2) * widgetWidth,
            y: Math.floor(i / 2) * widgetHeight,
            width: widgetWidth,
            height: widgetHeight,
            properties: { title: w.title, region: t.region, stat: w.stat, period: 60, view: "timeSeries", metrics: w.metrics },
        })),
    });
}

/** Where the console shows a dashboard. */
export function dashboardUrl(region: string, name: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${encodeURIComponent(name)}`;
}
