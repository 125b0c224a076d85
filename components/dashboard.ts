import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WatchedResources } from "./plan/alarms";
import { dashboardBody, dashboardUrl } from "./plan/dashboardBody";
import { metricsNamespace, operationsPrefix } from "./plan/operationsNames";

export interface DashboardArgs {
    region: string;
    watched: WatchedResources<pulumi.Input<string>>;
}

/** One CloudWatch dashboard per stack: requests, 5xx, p99 latency, hosts in rotation, per-host CPU and disk use, the database. */
export class Dashboard extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:monitoring:Dashboard", name, {}, opts);
        const dashboardName = operationsPrefix(pulumi.getStack());
        const { loadBalancer, targetGroup, dbInstanceId, hosts } = args.watched;
        const instanceIds = pulumi.all(hosts.map((h) => h.instanceId));
        const dashboard = new aws.cloudwatch.Dashboard(`${name}-main`, {
            dashboardName,
            dashboardBody: pulumi.all([loadBalancer, targetGroup, dbInstanceId, instanceIds])
                .apply(([lb, tg, db, ids]) => dashboardBody({
                    region: args.region, metricsNamespace: metricsNamespace(pulumi.getStack()), loadBalancer: lb, targetGroup: tg, dbInstanceId: db,
                    hosts: hosts.map((h, i) => ({ name: h.name, instanceId: ids[i] })),
                })),
        }, { parent: this });
        this.url = dashboard.dashboardName.apply((n) => dashboardUrl(args.region, n));
        this.registerOutputs({ url: this.url });
    }
}
