import { expect } from "chai";
import { dependencies, RecordedResource, valueOf } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";
import { accessLogBucketPolicy, elbLogDeliveryService } from "../../components/plan/accessLogPolicy";
import { operationsPrefix, stackNameProblem } from "../../components/plan/operationsNames";

const named = (run: ProgramRun, name: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource ${name}`);
    return found;
};
const alarms = (run: ProgramRun) => run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
const alarm = (run: ProgramRun, name: string) => named(run, `alarms-${name}`).inputs;
/** The compose file a host's host-config file set places. */
const composeFile = (run: ProgramRun, host: string) =>
    (named(run, `setup-${host}-host-config`).inputs.files as Array<{ path: string; content: string }>)
        .find((f) => f.path === "/etc/ha-web/docker-compose.yml")!.content;
const topicArn = "arn:aws:sns:us-west-2:123456789012:ha-web-test-alerts";

describe("operating it on AWS (index.ts under mocks)", function () {
    this.timeout(60000);

    describe("alarms that page", () => {
        let run: ProgramRun;
        before(async () => { run = await runProgram(); });

        it("raises every alarm of the stack into one SNS topic, exported as alertTopicArn, with no subscription by default", async () => {
            expect(run.ofType("aws:sns/topic:Topic").map((t) => t.inputs.name)).to.deep.equal(["ha-web-test-alerts"]);
            expect(run.ofType("aws:sns/topicSubscription:TopicSubscription")).to.have.length(0);
            expect(await valueOf(run.outputs.alertTopicArn)).to.equal(topicArn);
            expect(alarms(run).map((a) => a.inputs.name).sort()).to.deep.equal([
                "app-5xx", "db-connections", "db-cpu", "db-free-storage", "efs-io-limit",
                "host-a-disk-use", "host-a-instance-check", "host-a-system-check",
                "host-b-disk-use", "host-b-instance-check", "host-b-system-check",
                "lb-5xx", "p99-latency", "too-few-healthy-hosts", "unhealthy-hosts",
            ].map((n) => `ha-web-test-${n}`));
            for (const a of alarms(run)) {
                expect(a.inputs.alarmActions, a.name).to.include(topicArn);
                expect(a.inputs.okActions, a.name).to.deep.equal([topicArn]);
                expect(String(a.inputs.alarmDescription).length, a.name).to.be.within(80, 1024);
            }
        });

        it("watches the target group's hosts: one unhealthy for a minute, or fewer healthy than hostCount", async () => {
            const tg = { TargetGroup: "targetgroup/web-tg/73e2d6bc24d8a067", LoadBalancer: "app/web-alb/50dc6c495c0c9188" };
            expect(alarm(run, "unhealthy-hosts")).to.deep.include({
                namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: tg,
                period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold",
            });
            expect(alarm(run, "too-few-healthy-hosts")).to.deep.include({ metricName: "HealthyHostCount", dimensions: tg, threshold: 2, comparisonOperator: "LessThanThreshold" });
            const three = await runProgram({ hostCount: "3" });
            expect(alarm(three, "too-few-healthy-hosts").threshold).to.equal(3);
            expect(alarms(three).filter((a) => /host-c-/.test(a.name))).to.have.length(3);
        });

        it("takes every threshold from config, with the defaults when unset", async () => {
            expect(alarm(run, "lb-5xx")).to.include({ metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum", threshold: 10 });
            expect(alarm(run, "app-5xx")).to.include({ metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum", threshold: 10 });
            expect(alarm(run, "p99-latency")).to.include({ metricName: "TargetResponseTime", extendedStatistic: "p99", threshold: 2 });
            const tuned = await runProgram({
                alarm5xxPerMinute: "3", alarmP99LatencyMs: "500", alarmDbCpuPercent: "70", alarmDbFreeStorageGb: "5",
                alarmDbConnections: "40", alarmEfsIoLimitPercent: "75",
            });
            expect(alarm(tuned, "lb-5xx").threshold).to.equal(3);
            expect(alarm(tuned, "app-5xx").threshold).to.equal(3);
            expect(alarm(tuned, "p99-latency").threshold).to.equal(0.5);
            expect(alarm(tuned, "db-cpu")).to.deep.include({ namespace: "AWS/RDS", metricName: "CPUUtilization", threshold: 70, dimensions: { DBInstanceIdentifier: "db-mysql-4c2e" } });
            expect(alarm(tuned, "db-free-storage")).to.include({ metricName: "FreeStorageSpace", threshold: 5 * 1024 ** 3, comparisonOperator: "LessThanThreshold" });
            expect(alarm(tuned, "db-connections")).to.include({ metricName: "DatabaseConnections", threshold: 40 });
            expect(alarm(tuned, "efs-io-limit")).to.deep.include({ namespace: "AWS/EFS", metricName: "PercentIOLimit", threshold: 75, dimensions: { FileSystemId: "shared-efs-id" } });
        });

        it("pages when a host's disk stays over alarmDiskUsedPercent (80) for 5 minutes, by the instance id its timer publishes under", async () => {
            for (const host of ["host-a", "host-b"]) {
                expect(alarm(run, `${host}-disk-use`)).to.deep.include({
                    namespace: "ha-web/test", metricName: "DiskUsedPercent", dimensions: { InstanceId: `web-${host}-id` },
                    statistic: "Maximum", period: 60, evaluationPeriods: 5, threshold: 80, comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "missing", alarmActions: [topicArn], okActions: [topicArn],
                });
            }
            expect(alarm(await runProgram({ alarmDiskUsedPercent: "65" }), "host-a-disk-use").threshold).to.equal(65);
        });

        it("has every host publish its disk use on a timer into the namespace the alarm watches", () => {
            const files = named(run, "setup-host-a-host-config").inputs.files as Array<{ path: string; content: string }>;
            const file = (path: string) => files.find((f) => f.path === path)!.content;
            const script = file("/usr/local/sbin/ha-web-disk-use");
            expect(script).to.contain('readonly NAMESPACE="ha-web/test"').and.contain('readonly METRIC_NAME="DiskUsedPercent"')
                .and.contain('readonly REGION="us-west-2"').and.contain('readonly STAND_IN_URL=""');
            expect(file("/etc/systemd/system/ha-web-disk-use.timer")).to.contain("OnUnitActiveSec=60s");
            // On AWS the CLI signs with the instance profile: no credentials in the unit.
            const unit = file("/etc/systemd/system/ha-web-disk-use.service");
            expect(unit).to.contain("ExecStart=/usr/local/sbin/ha-web-disk-use").and.not.contain("AWS_");
            // Started at any time (timer, operator, drill) without systemd's 5-starts-in-10-s limit failing the unit.
            expect(unit).to.contain("StartLimitIntervalSec=0");
        });

        it("names in every description what to look at", () => {
            expect(alarm(run, "unhealthy-hosts").alarmDescription).to.contain("describe-target-health").and.contain("/ha-web/test/app");
            expect(alarm(run, "app-5xx").alarmDescription).to.contain("log group /ha-web/test/app");
            expect(alarm(run, "db-free-storage").alarmDescription).to.contain("dbAllocatedStorageGb");
            expect(alarm(run, "host-a-system-check").alarmDescription).to.contain("A host died at 3 a.m.");
            expect(alarm(run, "host-a-disk-use").alarmDescription).to.contain("ha-web-deploy --prune").and.contain("Runbook: the disk alarm fired");
        });

        it("changes alarms only after the health gate passed, so adding a host or raising hostCount never pages mid-update", () => {
            for (const a of alarms(run)) {
                expect(dependencies.get(a.name), a.name).to.include("health-gate");
            }
        });

        it("subscribes alertEmail to the topic when set", async () => {
            const withEmail = await runProgram({ alertEmail: "ops@example.com" });
            const [subscription] = withEmail.ofType("aws:sns/topicSubscription:TopicSubscription");
            expect(subscription.inputs).to.include({ topic: topicArn, protocol: "email", endpoint: "ops@example.com" });
        });
    });

    it("names the topic, alarms and dashboard after the stack unchanged, as the deployer's policy names them", () => {
        expect(operationsPrefix("prod-eu_1")).to.equal("ha-web-prod-eu_1");
        expect(stackNameProblem("prod-eu_1")).to.equal(undefined);
    });

    it("refuses a stack name SNS or CloudWatch would not take, naming it and the rename to run", () => {
        const problem = stackNameProblem("prod.eu_1");
        expect(problem).to.include('"prod.eu_1"').and.to.include("pulumi stack rename prod-eu_1");
    });

    describe("self-healing hosts", () => {
        let run: ProgramRun;
        before(async () => { run = await runProgram(); });

        it("recovers a host whose system status check fails, and reboots one whose instance check fails", () => {
            for (const host of ["host-a", "host-b"]) {
                expect(alarm(run, `${host}-system-check`)).to.deep.include({
                    namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: { InstanceId: `web-${host}-id` },
                    alarmActions: ["arn:aws:automate:us-west-2:ec2:recover", topicArn],
                });
                expect(alarm(run, `${host}-instance-check`)).to.deep.include({
                    namespace: "AWS/EC2", metricName: "StatusCheckFailed_Instance", dimensions: { InstanceId: `web-${host}-id` },
                    alarmActions: ["arn:aws:automate:us-west-2:ec2:reboot", topicArn],
                });
            }
        });

        it("acts on no other alarm", () => {
            const acting = alarms(run).filter((a) => (a.inputs.alarmActions as string[]).some((x) => x.startsWith("arn:aws:automate:")));
            expect(acting.map((a) => a.name).sort()).to.deep.equal(["host-a-instance-check", "host-a-system-check", "host-b-instance-check", "host-b-system-check"].map((n) => `alarms-${n}`));
        });
    });

    describe("the dashboard", () => {
        it("shows requests, 5xx, p99 latency, healthy hosts, CPU and disk use per host and the database, and exports its URL", async () => {
            const run = await runProgram();
            const [dashboard] = run.ofType("aws:cloudwatch/dashboard:Dashboard");
            expect(dashboard.inputs.dashboardName).to.equal("ha-web-test");
            const body = JSON.parse(dashboard.inputs.dashboardBody as string) as { widgets: Array<{ properties: { title: string; region: string; metrics: unknown[][] } }> };
            const metricsOf = (title: string) => body.widgets.find((w) => w.properties.title.startsWith(title))!.properties.metrics.map((m) => m.slice(0, 4));
            expect(body.widgets.map((w) => w.properties.region)).to.satisfy((r: string[]) => r.every((x) => x === "us-west-2"));
            expect(metricsOf("Requests")).to.deep.equal([["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/web-alb/50dc6c495c0c9188"]]);
            expect(metricsOf("5xx").map((m) => m[1])).to.deep.equal(["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]);
            expect(metricsOf("Response time p99").map((m) => m[1])).to.deep.equal(["TargetResponseTime"]);
            expect(metricsOf("Hosts in rotation").map((m) => m[1])).to.deep.equal(["HealthyHostCount", "UnHealthyHostCount"]);
            expect(metricsOf("Host CPU")).to.deep.equal([
                ["AWS/EC2", "CPUUtilization", "InstanceId", "web-host-a-id"],
                ["AWS/EC2", "CPUUtilization", "InstanceId", "web-host-b-id"],
            ]);
            expect(metricsOf("Host disk used %")).to.deep.equal([
                ["ha-web/test", "DiskUsedPercent", "InstanceId", "web-host-a-id"],
                ["ha-web/test", "DiskUsedPercent", "InstanceId", "web-host-b-id"],
            ]);
            expect(metricsOf("Database CPU")).to.deep.equal([["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "db-mysql-4c2e"]]);
            expect(metricsOf("Database connections").map((m) => m[1])).to.deep.equal(["DatabaseConnections"]);
            expect(await valueOf(run.outputs.dashboardUrl)).to.equal("https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards:name=ha-web-test");
        });
    });

    describe("central logs", () => {
        let run: ProgramRun;
        before(async () => { run = await runProgram(); });

        it("keeps the app's logs in one log group per stack, for logRetentionDays", async () => {
            const [group] = run.ofType("aws:cloudwatch/logGroup:LogGroup");
            expect(group.inputs).to.include({ name: "/ha-web/test/app", retentionInDays: 30 });
            expect(await valueOf(run.outputs.logGroupName)).to.equal("/ha-web/test/app");
            const shorter = await runProgram({ logRetentionDays: "7" });
            expect(shorter.ofType("aws:cloudwatch/logGroup:LogGroup")[0].inputs.retentionInDays).to.equal(7);
        });

        it("sends every host's app containers there with the awslogs driver", () => {
            for (const host of ["host-a", "host-b"]) {
                expect(composeFile(run, host)).to.contain('"driver":"awslogs"').and.contain('"awslogs-group":"/ha-web/test/app"')
                    .and.contain('"awslogs-region":"us-west-2"').and.not.contain('"driver":"json-file"');
            }
        });

        it("gives the hosts an instance profile that may only create streams in and write to that group, publish into the stack's metrics namespace, and mount the stack's file system", () => {
            const [role] = run.ofType("aws:iam/role:Role");
            expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).to.deep.equal([
                { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            expect(run.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.name).sort()).to.deep.equal(["logs-host-logs", "logs-host-metrics", "shared-host-client"]);
            const statements = (policy: string) => JSON.parse(named(run, policy).inputs.policy as string).Statement;
            const groupArn = "arn:aws:logs:us-west-2:123456789012:log-group:/ha-web/test/app";
            expect(statements("logs-host-logs")).to.deep.equal([{
                Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [groupArn, `${groupArn}:log-stream:*`],
            }]);
            expect(statements("logs-host-metrics")).to.deep.equal([{
                Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "ha-web/test" } },
            }]);
            const [fileSystemClient] = statements("shared-host-client");
            expect(fileSystemClient.Action).to.deep.equal(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"]);
            expect(fileSystemClient.Resource).to.match(/^arn:aws:elasticfilesystem:.*:file-system\//);
            expect(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.have.length(0);
            const [profile] = run.ofType("aws:iam/instanceProfile:InstanceProfile");
            for (const instance of run.ofType("aws:ec2/instance:Instance")) {
                expect(instance.inputs.iamInstanceProfile).to.equal(`${profile.name}-7f3a`);
            }
        });

        it("writes the load balancer's access logs to a private, encrypted bucket that forgets them after albAccessLogDays", async () => {
            const [bucket] = run.ofType("aws:s3/bucket:Bucket");
            expect(bucket.inputs.forceDestroy).to.equal(true);
            expect(run.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).to.include({
                blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            });
            expect(JSON.stringify(run.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0].inputs.rules))
                .to.contain('"sseAlgorithm":"AES256"');
            const [lifecycle] = run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
            expect(lifecycle.inputs.rules).to.deep.equal([{ id: "expire-access-logs", status: "Enabled", filter: { prefix: "alb/" }, expiration: { days: 90 } }]);
            const [lb] = run.ofType("aws:lb/loadBalancer:LoadBalancer");
            expect(lb.inputs.accessLogs).to.deep.equal({ bucket: "logs-alb-id", prefix: "alb", enabled: true });
            expect(await valueOf(run.outputs.accessLogBucket)).to.equal("logs-alb-id");
        });

        it("lets only the region's load balancer log writer put objects, under our prefix and account", () => {
            const [policy] = run.ofType("aws:s3/bucketPolicy:BucketPolicy");
            const [allow, deny] = JSON.parse(policy.inputs.policy as string).Statement;
            expect(allow).to.deep.equal({
                Sid: "LoadBalancerAccessLogs", Effect: "Allow", Principal: { AWS: "arn:aws:iam::797873946194:root" },
                Action: "s3:PutObject", Resource: "arn:aws:s3:::logs-alb-7f3a/alb/AWSLogs/123456789012/*",
            });
            expect(deny).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        });

        it("uses the log delivery service principal in regions opened since August 2022", () => {
            const policy = JSON.parse(accessLogBucketPolicy({ bucketArn: "arn:aws:s3:::b", prefix: "alb", accountId: "123456789012", region: "ap-southeast-5" }));
            expect(policy.Statement[0].Principal).to.deep.equal({ Service: elbLogDeliveryService });
        });

        it("creates no bucket and no access logs when albAccessLogs is false", async () => {
            const off = await runProgram({ albAccessLogs: "false" });
            expect(off.resources.filter((r) => r.type.startsWith("aws:s3/"))).to.have.length(0);
            expect(off.ofType("aws:lb/loadBalancer:LoadBalancer")[0].inputs.accessLogs).to.equal(undefined);
            expect(await valueOf(off.outputs.accessLogBucket)).to.equal(undefined);
        });
    });

    describe("shared storage the app cannot turn against root", () => {
        let run: ProgramRun;
        before(async () => { run = await runProgram(); });

        it("mounts the app's data through an access point that acts as uid 1000 on /data, made 0750 for it", () => {
            const [accessPoint] = run.ofType("aws:efs/accessPoint:AccessPoint");
            expect(accessPoint.inputs.posixUser).to.deep.equal({ uid: 1000, gid: 1000 });
            expect(accessPoint.inputs.rootDirectory).to.deep.equal({ path: "/data", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" } });
        });

        it("puts a file-system policy that lets the hosts' role in over TLS only and root no one else", () => {
            const [policy] = run.ofType("aws:efs/fileSystemPolicy:FileSystemPolicy");
            const statements = JSON.parse(policy.inputs.policy as string).Statement as Array<{ Sid: string; Principal: { AWS: string } }>;
            expect(statements.map((statement) => statement.Sid)).to.deep.equal(["TheHostsRoleOverTls", "NoRootWithoutTheHostsRole", "NothingWithoutTls"]);
            expect(statements[0].Principal.AWS).to.match(/:role\/logs-host-role/);
        });
    });

    describe("your own domain", () => {
        const domain = { domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };

        it("validates an ACM certificate by DNS in the zone, serves HTTPS with it, and aliases the domain to the load balancer", async () => {
            const run = await runProgram(domain);
            const [certificate] = run.ofType("aws:acm/certificate:Certificate");
            expect(certificate.inputs).to.include({ domainName: "www.example.com", validationMethod: "DNS" });
            const records = run.ofType("aws:route53/record:Record");
            const validation = records.find((r) => r.inputs.type === "CNAME")!;
            expect(validation.inputs).to.deep.include({ zoneId: domain.hostedZoneId, name: "_x1.www.example.com.", records: ["_x2.acm-validations.aws."] });
            const [validated] = run.ofType("aws:acm/certificateValidation:CertificateValidation");
            expect(validated.inputs).to.deep.include({ certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/domain-cert", validationRecordFqdns: ["_x1.www.example.com"] });

            const https = run.ofType("aws:lb/listener:Listener").find((l) => l.inputs.port === 443)!;
            expect(https.inputs).to.include({ protocol: "HTTPS", certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/domain-cert" });
            const [redirect] = run.ofType("aws:lb/listenerRule:ListenerRule");
            expect((redirect.inputs.actions as Array<Record<string, unknown>>)[0].type).to.equal("redirect");
            const alias = records.find((r) => r.inputs.type === "A")!;
            expect(alias.inputs).to.deep.include({
                zoneId: domain.hostedZoneId, name: "www.example.com",
                aliases: [{ name: "web-alb.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5", evaluateTargetHealth: false }],
            });
            const lbIngress = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => r.inputs.securityGroupId === "fw-lb-id").map((r) => r.inputs.fromPort).sort();
            expect(lbIngress).to.deep.equal([443, 80]);
            expect(await valueOf(run.outputs.url)).to.equal("https://www.example.com");
        });

        it("uses certificateArn instead of a new certificate when both are set, still with the alias", async () => {
            const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666";
            const run = await runProgram({ ...domain, certificateArn });
            expect(run.ofType("aws:acm/certificate:Certificate")).to.have.length(0);
            expect(run.ofType("aws:lb/listener:Listener").find((l) => l.inputs.port === 443)!.inputs.certificateArn).to.equal(certificateArn);
            expect(run.ofType("aws:route53/record:Record").map((r) => r.inputs.type)).to.deep.equal(["A"]);
            expect(await valueOf(run.outputs.url)).to.equal("https://www.example.com");
        });

        it("touches no DNS without a domain", async () => {
            const run = await runProgram();
            expect(run.resources.filter((r) => /^aws:(acm|route53)\//.test(r.type))).to.have.length(0);
        });
    });

    it("exports the target group ARN for the drain procedure", async () => {
        const run = await runProgram();
        expect(await valueOf(run.outputs.targetGroupArn)).to.equal("arn:aws:elasticloadbalancing:::targetgroup/web-tg/73e2d6bc24d8a067");
    });
});
