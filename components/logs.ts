import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucketPolicy } from "./plan/accessLogPolicy";
import { ecrImage, ecrPullPolicy } from "./plan/ecrImage";
import { ContainerLogging } from "./plan/hostConfigFiles";
import { hostRoleBoundaryArn } from "./plan/iamNames";
import { Settings } from "./plan/settings";
import { hostMetricsPolicy } from "./plan/diskUse";
import { metricsNamespace } from "./plan/operationsNames";

export interface CentralLogsArgs {
    settings: Settings["logs"];
    region: string;
    /** The prebuilt app image (appImage), if any: one in ECR gets a pull policy on the hosts' role. */
    appImage?: string;
    /** The stack's release repository's pull policy (releaseImage.ts), when a release is configured. */
    releasePullPolicy?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** Where the load balancer writes its access logs, when they are on. */
export interface AccessLogDestination {
    /** Read off the bucket policy, so the load balancer is configured only once AWS may write there. */
    bucket: pulumi.Output<string>;
    prefix: string;
}

/** The key prefix of the access logs in their bucket. */
export const accessLogPrefix = "alb";

/** One log group per stack, named by the stack: the compose file names it as plain text at planning time. */
export function appLogGroupName(stack: string): string {
    return `/ha-web/${stack}/app`;
}

/**
 * Central logs: the app containers' output goes to one CloudWatch Logs group per stack (Docker's
 * awslogs driver on every host, credentials from the hosts' instance profile, which may do nothing
 * else than write to that group), and the load balancer's access logs go to an S3 bucket that
 * forgets them after `albAccessLogDays`.
 */
export class CentralLogs extends pulumi.ComponentResource {
    public readonly logGroupName: pulumi.Output<string>;
    /** What the host plan puts into each host's compose file. */
    public readonly containerLogging: Extract<ContainerLogging, { driver: "awslogs" }>;
    public readonly instanceProfileName: pulumi.Output<string>;
    /** The hosts' instance role (SharedStorage lets it, and only it, mount the file system). */
    public readonly hostRole: { arn: pulumi.Output<string>; name: pulumi.Output<string> };
    public readonly accessLogs?: AccessLogDestination;

    constructor(name: string, args: CentralLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:logs:CentralLogs", name, {}, opts);
        const parent = { parent: this };

        // Named at planning time: the hosts' compose files carry the same name as plain text.
        const groupName = appLogGroupName(pulumi.getStack());
        const group = new aws.cloudwatch.LogGroup(`${name}-app`, {
            name: groupName,
            retentionInDays: args.settings.retentionDays,
            tags: args.tags,
        }, parent);
        this.logGroupName = group.name;
        this.containerLogging = { driver: "awslogs", region: args.region, group: groupName };

        const role = new aws.iam.Role(`${name}-host-role`, {
            description: "ha-web hosts: write the app's container logs to the stack's log group; publish disk use to the stack's metrics; pull the app image from its ECR repository, if there",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            // The deployer may create this role only with this boundary (iam/deployer-policy.json): whatever
            // policy the role is given, it can do no more than the boundary (iam/host-role-boundary.json) allows.
            permissionsBoundary: aws.getCallerIdentityOutput({}, parent).accountId.apply(hostRoleBoundaryArn),
            tags: args.tags,
        }, parent);
        // Docker's awslogs driver creates a stream per container and puts events into it; the group exists.
        new aws.iam.RolePolicy(`${name}-host-logs`, {
            role: role.id,
            policy: group.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: [arn, `${arn}:log-stream:*`],
                }],
            })),
        }, parent);
        // ha-web-disk-use publishes the host's disk use (the disk alarm's data) into the stack's namespace.
        new aws.iam.RolePolicy(`${name}-host-metrics`, { role: role.id, policy: hostMetricsPolicy(metricsNamespace(pulumi.getStack())) }, parent);
        // A prebuilt image in ECR: the hosts' credential helper (bootstrap.sh) signs in with this role.
        const ecr = args.appImage ? ecrImage(args.appImage) : undefined;
        const pullPolicy = ecr ? ecrPullPolicy(ecr) : args.releasePullPolicy;
        if (pullPolicy) {
            new aws.iam.RolePolicy(`${name}-host-ecr-pull`, { role: role.id, policy: pullPolicy }, parent);
        }
        this.hostRole = { arn: role.arn, name: role.name };
        this.instanceProfileName = new aws.iam.InstanceProfile(`${name}-host-profile`, { role: role.name, tags: args.tags }, parent).name;

        if (args.settings.albAccessLogs) {
            this.accessLogs = this.accessLogBucket(name, args);
        }
        this.registerOutputs({ logGroupName: this.logGroupName, instanceProfileName: this.instanceProfileName });
    }

    private accessLogBucket(name: string, args: CentralLogsArgs): AccessLogDestination {
        const parent = { parent: this };
        // forceDestroy: `pulumi destroy` removes the logs with the stack instead of failing on a non-empty bucket.
        const bucket = new aws.s3.Bucket(`${name}-alb`, { forceDestroy: true, tags: args.tags }, parent);
        new aws.s3.BucketPublicAccessBlock(`${name}-alb`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, parent);
        // SSE-S3 is the only encryption ALB access logs support (see accessLogPolicy.ts for the page).
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-alb`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-alb`, {
            bucket: bucket.id,
            rules: [{
                id: "expire-access-logs",
                status: "Enabled",
                filter: { prefix: `${accessLogPrefix}/` },
                expiration: { days: args.settings.albAccessLogDays },
            }],
        }, parent);
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
        const policy = new aws.s3.BucketPolicy(`${name}-alb`, {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, accountId]).apply(([bucketArn, account]) =>
                accessLogBucketPolicy({ bucketArn, prefix: accessLogPrefix, accountId: account, region: args.region })),
        }, parent);
        return { bucket: policy.bucket, prefix: accessLogPrefix };
    }
}
