import * as pulumi from "@pulumi/pulumi";
import { Dashboard } from "./dashboard";
import { CentralLogs } from "./logs";
import { Database } from "./database";
import { Monitoring } from "./monitoring";
import { WatchedResources } from "./plan/alarms";
import { Settings } from "./plan/settings";
import { SharedStorage } from "./sharedStorage";
import { WebTier } from "./webTier";

export interface OperationsArgs {
    settings: Settings;
    web: WebTier;
    database: Database;
    shared: SharedStorage;
    /** Its log group is named in the alarms' descriptions. */
    logs: CentralLogs;
    region: string;
    /**
     * The health gate: alarms change only once every host serves, so a planned change (a new host,
     * a higher hostCount threshold) never pages while it is under way.
     */
    after: pulumi.Resource[];
    tags: Record<string, string>;
}

/** What an operator gets: the alert topic, alarms (that also heal failed hosts) and the dashboard. */
export interface Operations {
    alertTopicArn: pulumi.Output<string>;
    dashboardUrl: pulumi.Output<string>;
}

/** Alarms and dashboard watch the same things, by the names CloudWatch knows them by. */
export function operate(args: OperationsArgs): Operations {
    const { settings, web, database, shared, region, tags } = args;
    const watched: WatchedResources<pulumi.Input<string>> = {
        loadBalancer: web.lbArnSuffix,
        targetGroup: web.targetGroupArnSuffix,
        dbInstanceId: database.instance.identifier,
        fileSystemId: shared.fileSystemId,
        hosts: web.hosts.map((h) => ({ name: h.name, instanceId: h.instance.id })),
    };
    const alarms = new Monitoring("alarms", {
        thresholds: settings.monitoring, hostCount: settings.hostCount, watched, logGroup: args.logs.containerLogging.group,
        region, after: args.after, tags,
    });
    const dashboard = new Dashboard("dashboard", { region, watched });
    return { alertTopicArn: alarms.topicArn, dashboardUrl: dashboard.url };
}
