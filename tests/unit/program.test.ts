import { expect } from "chai";
import { generatedSecrets, isSecretInput, isSecretOutput, mockAzs, mockDebianAmi, RecordedResource, valueOf } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";
import { deregistrationDelaySeconds, healthCheck, loadBalancing } from "../../components/plan/healthCheck";

const subnetAz = (run: ProgramRun) => new Map(run.ofType("aws:ec2/subnet:Subnet").map((s) => [`${s.name}-id`, s.inputs.availabilityZone as string]));
const byName = (resources: RecordedResource[]) => resources.map((r) => r.name).sort();

describe("the Pulumi program (index.ts under mocks)", function () {
    this.timeout(60000);

    describe("with the default configuration", () => {
        let run: ProgramRun;
        before(async () => { run = await runProgram(); });

        it("creates two hosts in two distinct availability zones", () => {
            const instances = run.ofType("aws:ec2/instance:Instance");
            expect(byName(instances)).to.deep.equal(["web-host-a", "web-host-b"]);
            const azs = instances.map((i) => subnetAz(run).get(i.inputs.subnetId as string));
            expect(new Set(azs).size).to.equal(2);
            expect(azs).to.deep.equal(mockAzs.slice(0, 2));
        });

        it("places hosts in public subnets and the database and EFS in private ones", () => {
            const tiers = new Map(run.ofType("aws:ec2/subnet:Subnet").map((s) => [`${s.name}-id`, (s.inputs.tags as Record<string, string>).tier]));
            for (const instance of run.ofType("aws:ec2/instance:Instance")) {
                expect(tiers.get(instance.inputs.subnetId as string)).to.equal("public");
            }
            for (const target of run.ofType("aws:efs/mountTarget:MountTarget")) {
                expect(tiers.get(target.inputs.subnetId as string)).to.equal("private");
            }
            const dbSubnets = run.ofType("aws:rds/subnetGroup:SubnetGroup")[0].inputs.subnetIds as string[];
            expect(dbSubnets.map((id) => tiers.get(id))).to.deep.equal(["private", "private"]);
        });

        it("hardens every host: IMDSv2 with hop limit 1 (no container reaches it), encrypted gp3 root, Debian AMI", () => {
            for (const instance of run.ofType("aws:ec2/instance:Instance")) {
                expect(instance.inputs.metadataOptions).to.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
                expect(instance.inputs.rootBlockDevice).to.include({ volumeType: "gp3", encrypted: true });
                expect(instance.inputs.ami).to.equal(mockDebianAmi);
                expect(instance.inputs.instanceType).to.equal("t3.small");
            }
        });

        it("attaches every host to the target group", () => {
            const attached = run.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((a) => a.inputs.targetId).sort();
            expect(attached).to.deep.equal(["web-host-a-id", "web-host-b-id"]);
        });

        it("health-checks /ping fast enough that a dead host leaves rotation in 10-15 s", () => {
            const [group] = run.ofType("aws:lb/targetGroup:TargetGroup");
            const check = group.inputs.healthCheck as Record<string, unknown>;
            expect(check).to.include({ path: "/ping", matcher: "200" });
            const window = (check.interval as number) * (check.unhealthyThreshold as number) + (check.timeout as number);
            expect(window).to.be.within(10, 15);
            expect(check.interval).to.equal(healthCheck.intervalSeconds);
            expect(group.inputs.deregistrationDelay).to.equal(deregistrationDelaySeconds);
            expect(group.inputs.deregistrationDelay).to.be.below(300);
        });

        it("routes by least outstanding requests and times out idle connections as the local stand-in does", () => {
            const [group] = run.ofType("aws:lb/targetGroup:TargetGroup");
            expect(group.inputs.loadBalancingAlgorithmType).to.equal("least_outstanding_requests");
            expect(group.inputs.loadBalancingAlgorithmType).to.equal(loadBalancing.algorithm);
            const [lb] = run.ofType("aws:lb/loadBalancer:LoadBalancer");
            expect(lb.inputs.idleTimeout).to.equal(loadBalancing.idleSeconds);
        });

        it("listens on HTTP only and forwards to the hosts when no certificate is configured", () => {
            const listeners = run.ofType("aws:lb/listener:Listener");
            expect(listeners.map((l) => l.inputs.port)).to.deep.equal([80]);
            expect((listeners[0].inputs.defaultActions as Array<Record<string, unknown>>)[0].type).to.equal("forward");
            const [lb] = run.ofType("aws:lb/loadBalancer:LoadBalancer");
            expect(lb.inputs).to.include({ internal: false, loadBalancerType: "application" });
        });

        it("opens exactly the least-privilege firewall rules", () => {
            const groupTier = new Map(run.ofType("aws:ec2/securityGroup:SecurityGroup").map((g) => [`${g.name}-id`, g.name.replace(/^fw-/, "")]));
            const describe = (r: RecordedResource) => {
                const peer = r.inputs.cidrIpv4 ?? groupTier.get(r.inputs.referencedSecurityGroupId as string);
                return `${groupTier.get(r.inputs.securityGroupId as string)} ${r.inputs.ipProtocol}/${r.inputs.fromPort ?? "all"} ${peer}`;
            };
            expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(describe).sort()).to.deep.equal([
                "db tcp/3306 hosts",
                "efs tcp/2049 hosts",
                "hosts tcp/22 203.0.113.7/32",
                "hosts tcp/80 lb",
                "lb tcp/80 0.0.0.0/0",
            ]);
            expect(run.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map(describe).sort()).to.deep.equal([
                "hosts -1/all 0.0.0.0/0",
                "lb tcp/80 hosts",
            ]);
        });

        it("mounts EFS in every AZ that has a host, encrypted, behind its own security group", () => {
            const [fs] = run.ofType("aws:efs/fileSystem:FileSystem");
            expect(fs.inputs.encrypted).to.equal(true);
            const targets = run.ofType("aws:efs/mountTarget:MountTarget");
            const hostAzs = run.ofType("aws:ec2/instance:Instance").map((i) => subnetAz(run).get(i.inputs.subnetId as string));
            expect(targets.map((t) => subnetAz(run).get(t.inputs.subnetId as string)).sort()).to.deep.equal([...new Set(hostAzs)].sort());
            for (const target of targets) {
                expect(target.inputs.securityGroups).to.deep.equal(["fw-efs-id"]);
            }
        });

        it("runs MySQL 8.4 Multi-AZ, encrypted, private, with 7 days of backups and safe deletion defaults", () => {
            const [db] = run.ofType("aws:rds/instance:Instance");
            expect(db.inputs).to.include({
                engine: "mysql",
                engineVersion: "8.4",
                multiAz: true,
                storageEncrypted: true,
                publiclyAccessible: false,
                backupRetentionPeriod: 7,
                deletionProtection: true,
                skipFinalSnapshot: false,
                username: "admin",
            });
            // Unique per stack and per life of the stack: the snapshot outlives it.
            expect(db.inputs.finalSnapshotIdentifier).to.equal("db-test-final-a1b2c3d4");
            expect(isSecretInput(db.inputs.password)).to.equal(true);
        });

        it("makes the database refuse unencrypted connections, and the hosts fetch its CA", () => {
            const [params] = run.ofType("aws:rds/parameterGroup:ParameterGroup");
            expect(params.inputs.family).to.equal("mysql8.4");
            expect(params.inputs.parameters).to.deep.include({ name: "require_secure_transport", value: "1" });
            const [db] = run.ofType("aws:rds/instance:Instance");
            expect(db.inputs.parameterGroupName).to.equal(params.inputs.name ?? `${params.name}-group`);
            const applyConfig = run.ofType("command:remote:Command").find((c) => c.name === "setup-host-a-apply-config")!;
            expect(applyConfig.inputs.stdin).to.equal("DB_TLS_CA_URL=https://truststore.pki.rds.amazonaws.com/us-west-2/us-west-2-bundle.pem\n");
        });

        it("keeps every acknowledged commit through a Multi-AZ failover: standby in another AZ, each commit flushed and its binlog synced", () => {
            const [db] = run.ofType("aws:rds/instance:Instance");
            expect(db.inputs.multiAz).to.equal(true);
            const [params] = run.ofType("aws:rds/parameterGroup:ParameterGroup");
            expect(params.inputs.parameters).to.deep.include({ name: "innodb_flush_log_at_trx_commit", value: "1" });
            expect(params.inputs.parameters).to.deep.include({ name: "sync_binlog", value: "1" });
        });

        it("exports the operator's outputs, with credentials marked secret", async () => {
            expect(await valueOf(run.outputs.url)).to.match(/^http:\/\/web-alb\.us-west-2\.elb\.amazonaws\.com$/);
            expect(await valueOf(run.outputs.lbDnsName)).to.equal("web-alb.us-west-2.elb.amazonaws.com");
            expect(Object.keys((await valueOf(run.outputs.hostIps)) as object)).to.deep.equal(["host-a", "host-b"]);
            expect(await valueOf(run.outputs.efsDnsName)).to.match(/efs/);
            expect(await valueOf(run.outputs.dbEndpoint)).to.match(/:3306$/);
            for (const key of ["sshPrivateKey", "dbAdminPassword", "dbPassword"]) {
                expect(await isSecretOutput(run.outputs[key]), key).to.equal(true);
                expect(String(await valueOf(run.outputs[key])), key).to.have.length.greaterThan(10);
            }
        });

        it("never places a generated password or key in a non-secret input", () => {
            expect(generatedSecrets.size).to.be.greaterThan(0);
            const leaks: string[] = [];
            const visit = (where: string, value: unknown): void => {
                if (isSecretInput(value)) {
                    return;
                }
                if (typeof value === "string") {
                    for (const secret of generatedSecrets) {
                        if (value.includes(secret.trim())) leaks.push(where);
                    }
                } else if (value && typeof value === "object") {
                    for (const [k, v] of Object.entries(value)) visit(`${where}.${k}`, v);
                }
            };
            for (const r of run.resources) {
                if (r.type.startsWith("random:") || r.type.startsWith("tls:")) continue; // the generators themselves
                visit(`${r.type} ${r.name}`, r.inputs);
            }
            expect(leaks).to.deep.equal([]);
        });
    });

    describe("with a bigger or different configuration", () => {
        it("spreads three hosts round-robin over two AZs, with one EFS mount target per AZ", async () => {
            const run = await runProgram({ hostCount: "3" });
            const azs = run.ofType("aws:ec2/instance:Instance").sort((a, b) => a.name.localeCompare(b.name))
                .map((i) => subnetAz(run).get(i.inputs.subnetId as string));
            expect(azs).to.deep.equal([mockAzs[0], mockAzs[1], mockAzs[0]]);
            expect(run.ofType("aws:efs/mountTarget:MountTarget")).to.have.length(2);
        });

        it("rolls host-a alone, then host-b and host-c together, then host-d, with hostCount 4 and rolloutBatchSize 2", async () => {
            const run = await runProgram({ hostCount: "4", rolloutBatchSize: "2" });
            const rolloutsBefore = (host: string) => run.graph.find((r) => r.name === `setup-${host}-rollout`)!.dependsOn
                .filter((d) => /::setup-host-.-rollout$/.test(d)).map((d) => d.split("::setup-")[1]).sort();
            expect(rolloutsBefore("host-a")).to.deep.equal([]);
            expect(rolloutsBefore("host-b")).to.deep.equal(["host-a-rollout"]);
            expect(rolloutsBefore("host-c")).to.deep.equal(["host-a-rollout"]);
            expect(rolloutsBefore("host-d")).to.deep.equal(["host-b-rollout", "host-c-rollout"]);
        });

        it("adds an HTTPS listener and redirects HTTP to it when a certificate is configured", async () => {
            const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666";
            const run = await runProgram({ certificateArn });
            const listeners = run.ofType("aws:lb/listener:Listener");
            const https = listeners.find((l) => l.inputs.port === 443);
            expect(https?.inputs).to.include({ protocol: "HTTPS", certificateArn });
            const [redirect] = run.ofType("aws:lb/listenerRule:ListenerRule");
            expect((redirect.inputs.actions as Array<Record<string, unknown>>)[0].type).to.equal("redirect");
            const lbIngress = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((r) => r.inputs.securityGroupId === "fw-lb-id").map((r) => r.inputs.fromPort).sort();
            expect(lbIngress).to.deep.equal([443, 80]);
        });

        it("uses the dev stack's cheap-destroy database settings from Pulumi.dev.yaml's keys", async () => {
            const run = await runProgram({ dbDeletionProtection: "false", dbSkipFinalSnapshot: "true", dbMultiAz: "false" });
            const [db] = run.ofType("aws:rds/instance:Instance");
            expect(db.inputs).to.include({ deletionProtection: false, skipFinalSnapshot: true, multiAz: false });
            expect(db.inputs.finalSnapshotIdentifier).to.equal(undefined);
        });

        it("opens SSH only to the configured CIDRs", async () => {
            const run = await runProgram({ sshAllowedCidrs: JSON.stringify(["203.0.113.7/32", "198.51.100.0/24"]) });
            const ssh = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 22);
            expect(ssh.map((r) => r.inputs.cidrIpv4).sort()).to.deep.equal(["198.51.100.0/24", "203.0.113.7/32"]);
        });

        it("deploys into an existing VPC without creating network resources", async () => {
            const run = await runProgram({
                existingVpcId: "vpc-0123abcd",
                existingPublicSubnetIds: JSON.stringify(["subnet-0aaa1111", "subnet-0bbb2222"]),
                existingPrivateSubnetIds: JSON.stringify(["subnet-0ccc3333", "subnet-0ddd4444"]),
            });
            expect(run.ofType("aws:ec2/vpc:Vpc")).to.have.length(0);
            expect(run.ofType("aws:ec2/subnet:Subnet")).to.have.length(0);
            expect(run.ofType("aws:ec2/instance:Instance").map((i) => i.inputs.subnetId).sort()).to.deep.equal(["subnet-0aaa1111", "subnet-0bbb2222"]);
        });

        it("uses the operator's own public key instead of generating one", async () => {
            const run = await runProgram({ sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIoperator op@example", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" });
            expect(run.ofType("tls:index/privateKey:PrivateKey").map((k) => k.name)).not.to.include("web-ssh");
            expect(run.ofType("aws:ec2/keyPair:KeyPair")[0].inputs.publicKey).to.match(/operator/);
        });
    });

    describe("rejects bad configuration before creating anything", () => {
        const cases: Array<[string, Record<string, string>, RegExp]> = [
            ["fewer than two hosts", { hostCount: "1" }, /hostCount must be a whole number from 2/],
            ["more AZs than the region has", { azCount: String(mockAzs.length + 1) }, /azCount is 5 but us-west-2 has 4/],
            ["a malformed VPC CIDR", { vpcCidr: "10.0.0.1/16" }, /vpcCidr must be a network CIDR/],
            ["a bad SSH CIDR", { sshAllowedCidrs: "[\"everyone\"]" }, /sshAllowedCidrs .*"everyone"/],
            ["an empty app image", { appImage: "" }, /appImage must be an image reference/],
            ["MySQL 8.0", { dbEngineVersion: "8.0.39" }, /dbEngineVersion must be a MySQL 8.4 version/],
        ];
        for (const [what, config, message] of cases) {
            it(`fails on ${what}`, async () => {
                let error: unknown;
                try {
                    await runProgram(config);
                } catch (e) {
                    error = e;
                }
                expect(String(error)).to.match(message);
            });
        }
    });
});
