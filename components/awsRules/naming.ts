import { label, ResourceNode } from "./graph";

/** A name AWS checks when the resource is created: where it is, its longest length and its alphabet. */
interface NameLimit {
    type: string;
    /** The input that holds the name; unset, Pulumi auto-names it (logical name, "-", 7 random characters). */
    field?: string;
    max: number;
    pattern: RegExp;
    source: string;
}

const autonameSuffix = "-a1b2c3d";

const nameLimits: NameLimit[] = [
    { type: "aws:lb/loadBalancer:LoadBalancer", max: 32, pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, source: "Elastic Load Balancing API Reference, CreateLoadBalancer Name" },
    { type: "aws:lb/targetGroup:TargetGroup", max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, source: "Elastic Load Balancing API Reference, CreateTargetGroup Name" },
    { type: "aws:ec2/securityGroup:SecurityGroup", max: 255, pattern: /^(?!sg-)[\x20-\x7e]+$/, source: "Amazon EC2 API Reference, CreateSecurityGroup GroupName" },
    { type: "aws:ec2/keyPair:KeyPair", max: 255, pattern: /^[\x20-\x7e]+$/, source: "Amazon EC2 API Reference, ImportKeyPair KeyName" },
    { type: "aws:s3/bucket:Bucket", max: 63, pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, source: "Amazon S3 User Guide, General purpose bucket naming rules" },
    { type: "aws:iam/role:Role", max: 64, pattern: /^[\w+=,.@-]+$/, source: "AWS IAM API Reference, CreateRole RoleName" },
    { type: "aws:iam/instanceProfile:InstanceProfile", max: 128, pattern: /^[\w+=,.@-]+$/, source: "AWS IAM API Reference, CreateInstanceProfile InstanceProfileName" },
    { type: "aws:rds/instance:Instance", max: 63, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, source: "Amazon RDS API Reference, CreateDBInstance DBInstanceIdentifier" },
    { type: "aws:rds/instance:Instance", field: "finalSnapshotIdentifier", max: 255, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, source: "Amazon RDS API Reference, DeleteDBInstance FinalDBSnapshotIdentifier" },
    { type: "aws:rds/parameterGroup:ParameterGroup", max: 255, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, source: "Amazon RDS API Reference, CreateDBParameterGroup DBParameterGroupName" },
    { type: "aws:rds/subnetGroup:SubnetGroup", max: 255, pattern: /^[a-z0-9 ._-]+$/, source: "Amazon RDS API Reference, CreateDBSubnetGroup DBSubnetGroupName" },
    { type: "aws:cloudwatch/metricAlarm:MetricAlarm", field: "name", max: 255, pattern: /^[\x20-\x7e]+$/, source: "Amazon CloudWatch API Reference, PutMetricAlarm AlarmName" },
    { type: "aws:cloudwatch/dashboard:Dashboard", field: "dashboardName", max: 255, pattern: /^[A-Za-z0-9_-]+$/, source: "Amazon CloudWatch API Reference, PutDashboard DashboardName" },
    { type: "aws:cloudwatch/logGroup:LogGroup", field: "name", max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, source: "Amazon CloudWatch Logs API Reference, CreateLogGroup logGroupName" },
    { type: "aws:sns/topic:Topic", field: "name", max: 256, pattern: /^[A-Za-z0-9_-]+$/, source: "Amazon SNS API Reference, CreateTopic Name" },
];

/** The name AWS will see: the input when set, else Pulumi's auto-name of the logical name. */
function nameOf(node: ResourceNode, limit: NameLimit): string | undefined {
    if (limit.field) {
        const value = node.inputs[limit.field];
        return typeof value === "string" ? value : undefined;
    }
    return `${node.name}${autonameSuffix}`;
}

/** One message per name AWS would refuse: the resource, the name, and the limit it breaks. */
export function nameProblems(nodes: ResourceNode[]): string[] {
    return nameLimits.flatMap((limit) => nodes.filter((n) => n.type === limit.type).flatMap((node) => {
        const name = nameOf(node, limit);
        if (name === undefined) return [];
        const problems = [
            ...(name.length > limit.max ? [`is ${name.length} characters, AWS allows ${limit.max}`] : []),
            ...(limit.pattern.test(name) ? [] : [`does not match ${limit.pattern}`]),
        ];
        return problems.map((p) => `${label(node)}: name "${name}" ${p} (${limit.source})`);
    }));
}
