import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import "./support/pulumiMocks";
import { runProgram } from "./support/runProgram";

interface Statement { Effect: "Allow" | "Deny"; Action: string | string[]; Resource: string | string[]; Condition?: unknown }
const policy = JSON.parse(fs.readFileSync(path.join(__dirname, "../../iam/deployer-policy.json"), "utf8")) as { Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/**
 * What `pulumi up` and `pulumi destroy` call for each AWS resource type the program creates: its
 * create and delete actions (and the updates the program makes happen). Reads come from the
 * policy's Describe/Get/List statement. A new resource type fails the first test until it is
 * listed here and allowed in iam/deployer-policy.json.
 */
const actionsByType: Record<string, string[]> = {
    "aws:ec2/vpc:Vpc": ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcs"],
    "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:DescribeSubnets"],
    "aws:ec2/internetGateway:InternetGateway": ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
    "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:CreateRoute", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:DescribeSecurityGroups"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:DescribeSecurityGroupRules"],
    "aws:ec2/keyPair:KeyPair": ["ec2:ImportKeyPair", "ec2:DeleteKeyPair", "ec2:DescribeKeyPairs"],
    "aws:ec2/instance:Instance": ["ec2:RunInstances", "ec2:TerminateInstances", "ec2:CreateTags", "ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions", "iam:PassRole"],
    "aws:ec2/eip:Eip": ["ec2:AllocateAddress", "ec2:AssociateAddress", "ec2:DisassociateAddress", "ec2:ReleaseAddress"],
    "aws:lb/loadBalancer:LoadBalancer": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:DeleteLoadBalancer"],
    "aws:lb/targetGroup:TargetGroup": ["elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup"],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:DescribeTargetHealth"],
    "aws:lb/listener:Listener": ["elasticloadbalancing:CreateListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener"],
    "aws:efs/fileSystem:FileSystem": ["elasticfilesystem:CreateFileSystem", "elasticfilesystem:DeleteFileSystem", "elasticfilesystem:DescribeFileSystems"],
    "aws:efs/backupPolicy:BackupPolicy": ["elasticfilesystem:PutBackupPolicy", "elasticfilesystem:DescribeBackupPolicy"],
    "aws:efs/mountTarget:MountTarget": ["elasticfilesystem:CreateMountTarget", "elasticfilesystem:DeleteMountTarget", "elasticfilesystem:DescribeMountTargets"],
    "aws:rds/instance:Instance": ["rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:CreateDBSnapshot", "rds:DescribeDBInstances"],
    "aws:rds/parameterGroup:ParameterGroup": ["rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup"],
    "aws:rds/subnetGroup:SubnetGroup": ["rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"],
    "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup", "logs:DescribeLogGroups"],
    "aws:sns/topic:Topic": ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:GetTopicAttributes", "sns:DeleteTopic"],
    "aws:sns/topicSubscription:TopicSubscription": ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes"],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:ListInstanceProfilesForRole"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
    "aws:iam/instanceProfile:InstanceProfile": ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
    "aws:s3/bucket:Bucket": ["s3:CreateBucket", "s3:GetBucketPolicy", "s3:ListBucketVersions", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws:acm/certificate:Certificate": ["acm:RequestCertificate", "acm:DescribeCertificate", "acm:DeleteCertificate"],
    "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
    "aws:route53/record:Record": ["route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"],
};

/** The provider functions (invokes) the program calls while planning. */
const invokeActions = ["ec2:DescribeImages", "ec2:DescribeAvailabilityZones", "ec2:DescribeVpcs"];

/** IAM's wildcard matching of one action pattern (`*` any run of characters), case-insensitive as IAM is. */
function matches(pattern: string, action: string): boolean {
    const regex = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
    return regex.test(action);
}
const allowed = (action: string) => policy.Statement.some((s) => s.Effect === "Allow" && list(s.Action).some((p) => matches(p, action)));

/** Every configuration that adds resource types: a domain, an alert address, access logs (on by default). */
const configurations = [
    {},
    { domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", alertEmail: "ops@example.com" },
    { existingVpcId: "vpc-0123abcd", existingPublicSubnetIds: "[\"subnet-0aaa1111\",\"subnet-0bbb2222\"]", existingPrivateSubnetIds: "[\"subnet-0ccc3333\",\"subnet-0ddd4444\"]" },
];

describe("the deployer's IAM policy (iam/deployer-policy.json)", function () {
    this.timeout(60000);
    let types: string[];
    before(async () => {
        const seen = new Set<string>();
        for (const config of configurations) {
            for (const r of (await runProgram(config)).resources) seen.add(r.type);
        }
        types = [...seen].filter((t) => t.startsWith("aws:")).sort();
    });

    it("knows what every AWS resource type the program registers needs", () => {
        expect(types.filter((t) => !(t in actionsByType)), "types missing from actionsByType").to.deep.equal([]);
    });

    it("allows what every registered resource type and every planning lookup needs", () => {
        const needed = [...types.flatMap((t) => actionsByType[t]), ...invokeActions];
        expect(needed.filter((a) => !allowed(a)), "actions the policy does not allow").to.deep.equal([]);
    });

    it("allows nothing for services the program does not use, and no service-wide or global wildcard", () => {
        const used = new Set([...types.flatMap((t) => actionsByType[t]), ...invokeActions].map((a) => a.split(":")[0]));
        for (const statement of policy.Statement) {
            for (const action of list(statement.Action)) {
                expect(used.has(action.split(":")[0]), `${action}: its service is not used by the program`).to.equal(true);
                expect(action, "a wildcard over a whole service or everything").to.not.match(/^\*$|:\*$/);
                expect(action, "wildcards only over reads").to.satisfy((a: string) => !a.includes("*") || /:(Describe|Get|List)/.test(a));
            }
        }
    });

    it("limits IAM writes to the hosts' role and instance profile, and S3 to the access log bucket", () => {
        for (const statement of policy.Statement.filter((s) => list(s.Action).some((a) => /^(iam|s3):/.test(a)))) {
            if (list(statement.Action).every((a) => a === "iam:CreateServiceLinkedRole")) {
                expect(statement.Condition).to.have.nested.property("StringEquals.iam:AWSServiceName");
                continue;
            }
            expect(list(statement.Resource)).to.not.include("*");
        }
    });
});
