import * as pulumi from "@pulumi/pulumi";
import { Dashboard } from "./dashboard";
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
    /** The app's CloudWatch Logs group, named in the alarms' descriptions. */
    logGroup: string;
    region: string;
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
        thresholds: settings.monitoring, hostCount: settings.hostCount, watched, logGroup: args.logGroup, region, tags,
    });
    const dashboard = new Dashboard("dashboard", { region, watched });
    return { alertTopicArn: alarms.topicArn, dashboardUrl: dashboard.url };
}
