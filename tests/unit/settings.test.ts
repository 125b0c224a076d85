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

    it("picks the arm64 AMI for Graviton instance types only", () => {
        expect(amiArchitecture("t4g.small")).to.equal("arm64");
        expect(amiArchitecture("c7gn.large")).to.equal("arm64");
        expect(amiArchitecture("t3.small")).to.equal("x86_64");
        expect(amiArchitecture("m7i.large")).to.equal("x86_64");
    });
});
