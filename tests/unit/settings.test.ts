import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { amiArchitecture, checkAzCount, ConfigSource, defaults, readSettings } from "../../components/plan/settings";

/** The keys every stack must set; a test leaves one out by setting it to undefined. */
const required = { amiId: "ami-0123456789abcdef0", sshAllowedCidrs: "[\"203.0.113.7/32\"]" };

function source(values: Record<string, string | undefined>, secrets: string[] = [], files: string[] = []): ConfigSource {
    const all: Record<string, string | undefined> = { ...required, ...values };
    return {
        get: (key) => all[key],
        region: "eu-west-1",
        hasSecret: (key) => secrets.includes(key),
        fileExists: (p) => files.includes(p),
    };
}

function problemsOf(values: Record<string, string | undefined>): string {
    try {
        readSettings(source(values));
    } catch (e) {
        return (e as Error).message;
    }
    return "";
}

describe("settings (config validation)", () => {
    it("applies the documented defaults when nothing is set", () => {
        const s = readSettings(source({}));
        expect(s).to.deep.include({ hostCount: 2, azCount: 2, instanceType: "t3.small", vpcCidr: "10.20.0.0/16" });
        expect(s.db).to.deep.include({ multiAz: true, backupRetentionDays: 7, deletionProtection: true, engineVersion: "8.4" });
        expect(s.existingNetwork).to.equal(undefined);
    });

    it("declares the same defaults in Pulumi.yaml as the program applies", () => {
        const project = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
        const declared = Object.fromEntries(Object.entries(project.config).map(([k, v]) => [k, v.default]));
        expect(declared).to.deep.equal(defaults);
    });

    it("lists every problem in one error, each naming its key", () => {
        const message = problemsOf({ hostCount: "1", azCount: "two", vpcCidr: "10.0.0.0/8", dbMultiAz: "yes", dbUser: "admin" });
        for (const key of ["hostCount", "azCount", "vpcCidr", "dbMultiAz", "dbUser"]) {
            expect(message).to.contain(` - ${key}`);
        }
        expect(message.split("\n - ")).to.have.length(6);
    });

    it("rejects bad values with the allowed ones in the message", () => {
        expect(problemsOf({ hostCount: "2.5" })).to.match(/hostCount must be a whole number from 2 to 26/);
        expect(problemsOf({ instanceType: "big" })).to.match(/instanceType must be an EC2 instance type/);
        expect(problemsOf({ amiId: "debian" })).to.match(/amiId must be an AMI id/);
        expect(problemsOf({ sshAllowedCidrs: "[]" })).to.match(/sshAllowedCidrs must be a non-empty list/);
        expect(problemsOf({ sshAllowedCidrs: "0.0.0.0/0" })).to.match(/sshAllowedCidrs must be a list of strings/);
        expect(problemsOf({ certificateArn: "arn:aws:iam::123:cert" })).to.match(/certificateArn must be an ACM certificate ARN/);
        expect(problemsOf({ dbBackupRetentionDays: "0" })).to.match(/dbBackupRetentionDays must be a whole number from 1 to 35/);
        expect(problemsOf({ dbName: "my-app" })).to.match(/dbName must be a database name/);
        expect(problemsOf({ appBuildCaFile: "/nowhere/ca.pem" })).to.match(/appBuildCaFile: no file at \/nowhere\/ca.pem/);
    });

    it("needs the private key secret when an operator brings a public key", () => {
        const key = "ssh-ed25519 AAAAC3Nza op@example";
        expect(problemsOf({ sshPublicKey: key })).to.match(/sshPrivateKey/);
        expect(readSettings(source({ sshPublicKey: key }, ["sshPrivateKey"])).sshPublicKey).to.equal(key);
    });

    it("takes an existing network only as a complete set of VPC, public and private subnets", () => {
        expect(problemsOf({ existingVpcId: "vpc-0123abcd" })).to.match(/go together/);
        expect(problemsOf({
            existingVpcId: "vpc-0123abcd",
            existingPublicSubnetIds: "[\"subnet-0aaa1111\"]",
            existingPrivateSubnetIds: "[\"subnet-0ccc3333\", \"subnet-0ddd4444\"]",
        })).to.match(/existingPublicSubnetIds needs at least 2 subnets/);
    });

    it("checks the AZ count against the region's zones", () => {
        expect(() => checkAzCount(3, ["a", "b"], "eu-north-9")).to.throw(/azCount is 3 but eu-north-9 has 2/);
        expect(() => checkAzCount(2, ["a", "b"], "eu-north-9")).not.to.throw();
    });

    it("defaults the alarms and logs, with no domain and no alert address", () => {
        const s = readSettings(source({}));
        expect(s.monitoring).to.deep.equal({
            alertEmail: undefined, http5xxPerMinute: 10, p99LatencyMs: 2000, dbCpuPercent: 80,
            dbFreeStorageGb: 2, dbConnections: 60, efsIoLimitPercent: 90,
        });
        expect(s.logs).to.deep.equal({ retentionDays: 30, albAccessLogs: true, albAccessLogDays: 90 });
        expect(s.domain).to.equal(undefined);
    });

    it("reads every alarm threshold, log setting, domain and alert address", () => {
        const s = readSettings(source({
            alertEmail: "ops@example.com", alarm5xxPerMinute: "3", alarmP99LatencyMs: "500", alarmDbCpuPercent: "70",
            alarmDbFreeStorageGb: "5", alarmDbConnections: "40", alarmEfsIoLimitPercent: "75",
            logRetentionDays: "14", albAccessLogs: "false", albAccessLogDays: "30",
            domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ",
        }));
        expect(s.monitoring).to.deep.equal({
            alertEmail: "ops@example.com", http5xxPerMinute: 3, p99LatencyMs: 500, dbCpuPercent: 70,
            dbFreeStorageGb: 5, dbConnections: 40, efsIoLimitPercent: 75,
        });
        expect(s.logs).to.deep.equal({ retentionDays: 14, albAccessLogs: false, albAccessLogDays: 30 });
        expect(s.domain).to.deep.equal({ name: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
    });

    it("rejects bad alarm, log and domain values, naming each key", () => {
        const message = problemsOf({
            alertEmail: "ops", alarm5xxPerMinute: "0", alarmP99LatencyMs: "fast", alarmDbCpuPercent: "101",
            alarmDbConnections: "-1", alarmEfsIoLimitPercent: "0", logRetentionDays: "10", albAccessLogs: "yes",
            albAccessLogDays: "0", domainName: "Example.com", hostedZoneId: "zone",
        });
        for (const key of ["alertEmail", "alarm5xxPerMinute", "alarmP99LatencyMs", "alarmDbCpuPercent", "alarmDbConnections",
            "alarmEfsIoLimitPercent", "logRetentionDays", "albAccessLogs", "albAccessLogDays", "domainName", "hostedZoneId"]) {
            expect(message).to.contain(` - ${key}`);
        }
        expect(message).to.match(/logRetentionDays must be one of 1, 3, 5, 7, 14, 30/);
        expect(problemsOf({ alarmDbFreeStorageGb: "20" })).to.match(/alarmDbFreeStorageGb \(20\) must be below dbAllocatedStorageGb \(20\)/);
    });

    it("takes domainName and hostedZoneId only together", () => {
        expect(problemsOf({ domainName: "www.example.com" })).to.match(/domainName and hostedZoneId go together/);
        expect(problemsOf({ hostedZoneId: "Z0123456789ABCDEFGHIJ" })).to.match(/domainName and hostedZoneId go together/);
    });

    it("picks the arm64 AMI for Graviton instance types only", () => {
        expect(amiArchitecture("t4g.small")).to.equal("arm64");
        expect(amiArchitecture("c7gn.large")).to.equal("arm64");
        expect(amiArchitecture("t3.small")).to.equal("x86_64");
        expect(amiArchitecture("m7i.large")).to.equal("x86_64");
    });
});
