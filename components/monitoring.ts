import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmActions, alarmSpecs, WatchedResources } from "./plan/alarms";
import { metricsNamespace, operationsPrefix } from "./plan/operationsNames";
import { Settings } from "./plan/settings";

export interface MonitoringArgs {
    thresholds: Settings["monitoring"];
    hostCount: number;
    watched: WatchedResources<pulumi.Input<string>>;
    /** The app's log group, named in the alarms' descriptions. */
    logGroup: string;
    region: string;
    /** What must be done before an alarm changes (the health gate: see operations.ts). */
    after: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * Alarms that page: every alarm of `plan/alarms.ts` notifies one SNS topic (and the address in
 * `alertEmail`, once its owner confirms AWS's mail) when it fires and when it clears; the hosts'
 * status-check alarms also recover or reboot their host.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:monitoring:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const prefix = operationsPrefix(pulumi.getStack());

        const topic = new aws.sns.Topic(`${name}-alerts`, { name: `${prefix}-alerts`, tags: args.tags }, parent);
        if (args.thresholds.alertEmail) {
            new aws.sns.TopicSubscription(`${name}-alert-email`, {
                topic: topic.arn,
                protocol: "email",
                endpoint: args.thresholds.alertEmail,
            }, parent);
        }
        const targets = { ...args.watched, logGroup: args.logGroup, metricsNamespace: metricsNamespace(pulumi.getStack()) };
        for (const spec of alarmSpecs(targets, args.thresholds, args.hostCount)) {
            const actions = alarmActions(spec.action, topic.arn, args.region);
            new aws.cloudwatch.MetricAlarm(`${name}-${spec.name}`, {
                name: `${prefix}-${spec.name}`,
                alarmDescription: spec.description,
                namespace: spec.namespace,
                metricName: spec.metricName,
                dimensions: spec.dimensions,
                statistic: spec.statistic,
                extendedStatistic: spec.extendedStatistic,
                period: spec.periodSeconds,
                evaluationPeriods: spec.evaluationPeriods,
                threshold: spec.threshold,
                comparisonOperator: spec.comparison,
                treatMissingData: spec.treatMissingData,
                alarmActions: actions,
                // The all-clear goes to people only: an EC2 action on OK would act again.
                okActions: [topic.arn],
                tags: args.tags,
            }, { ...parent, dependsOn: args.after });
        }

        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
