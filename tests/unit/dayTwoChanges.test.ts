import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { keyOf } from "../../components/awsRules/graph";
import { secretMapShapeOf } from "../../components/plan/appSettings";
import { dayTwoChangesTable, diskText, rdsChangesTable, stepBoundText } from "../../components/plan/dayTwoChanges";
import { databaseChangeWarnings } from "../../components/plan/rdsChanges";
import { readSettings } from "../../components/plan/settings";
import { databaseNow, lifecycleOf, valueOf } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

const listenerType = "aws:lb/listener:Listener";
const ruleType = "aws:lb/listenerRule:ListenerRule";
const gateType = "pulumi-nodejs:dynamic/ha-web:HealthGate";

describe("day-2 changes keep the site up (index.ts under mocks)", function () {
    this.timeout(60000);

    describe("adding a domain: HTTP redirects only once HTTPS serves", () => {
        let plain: ProgramRun;
        let domain: ProgramRun;
        before(async () => {
            plain = await runProgram();
            domain = await runProgram({ domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        });

        it("keeps the HTTP listener forwarding, with or without a domain, so a certificate that never validates leaves the site up", () => {
            for (const run of [plain, domain]) {
                const http = run.ofType(listenerType).find((l) => l.inputs.port === 80)!;
                expect(http.inputs.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:::targetgroup/web-tg/73e2d6bc24d8a067" }]);
            }
        });

        it("redirects with a rule created (or updated) after the HTTPS listener and after the health gate saw every host through it", () => {
            const [rule] = domain.graph.filter((n) => n.type === ruleType);
            expect(rule.inputs.actions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            expect(rule.inputs.listenerArn).to.match(/\/web-http$/);
            expect(rule.dependsOn).to.include.members([`${listenerType}::web-https`, `${gateType}::health-gate`]);
        });

        it("keeps the same rule forwarding without a domain and waiting for nothing, so removing a domain forwards HTTP again before the gate checks it", () => {
            const [rule] = plain.graph.filter((n) => n.type === ruleType);
            const [domainRule] = domain.graph.filter((n) => n.type === ruleType);
            expect(rule.name).to.equal(domainRule.name);
            expect(rule.inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:::targetgroup/web-tg/73e2d6bc24d8a067" }]);
            expect(rule.dependsOn.filter((k) => k.startsWith(`${gateType}::`) || k === `${listenerType}::web-https`)).to.deep.equal([]);
        });

        it("gates on the listener that serves the site: HTTPS with a domain, HTTP without, and names it", async () => {
            const gate = (run: ProgramRun) => run.ofType(gateType)[0].inputs;
            expect(gate(domain).listenerArn).to.match(/\/web-https$/);
            expect(gate(domain).url).to.equal("https://web-alb.us-west-2.elb.amazonaws.com");
            expect(domain.graph.find((n) => n.type === gateType)!.dependsOn).to.include(`${listenerType}::web-https`);
            expect(gate(plain).listenerArn).to.match(/\/web-http$/);
            expect(gate(plain).url).to.equal("http://web-alb.us-west-2.elb.amazonaws.com");
            expect(await valueOf(domain.outputs.url)).to.equal("https://www.example.com");
        });
    });

    describe("host keys", () => {
        it("gives every new machine a new host key: the key is replaced with each of the instance's replacing properties but its user data", async () => {
            const trigger = async (config: Record<string, string>) => {
                const run = await runProgram(config);
                return lifecycleOf(run.ofType("tls:index/privateKey:PrivateKey").find((k) => k.name === "web-host-a-host-key")!)?.replacementTrigger;
            };
            const before = await trigger({});
            expect(before).to.deep.equal({ ami: "ami-0de12a0000000001", instanceType: "t3.small", keyName: "web-key-key", subnetId: "net-public-us-west-2a-id" });
            expect(await trigger({ instanceType: "t3.medium" })).to.deep.include({ instanceType: "t3.medium" });
            const instance = (await runProgram()).ofType("aws:ec2/instance:Instance").find((n) => n.name === "web-host-a")!;
            expect(lifecycleOf(instance)?.replaceOnChanges).to.include.members(["ami", "instanceType", "keyName", "subnetId"]);
        });
    });

    describe("shared storage", () => {
        it("protects the EFS file system: an edit that would replace it fails instead of deleting it under every host", async () => {
            const run = await runProgram();
            const [fileSystem] = run.ofType("aws:efs/fileSystem:FileSystem");
            expect(lifecycleOf(fileSystem)?.protect).to.equal(true);
            const destroyable = await runProgram({ efsDeletionProtection: "false" });
            expect(lifecycleOf(destroyable.ofType("aws:efs/fileSystem:FileSystem")[0])?.protect).to.equal(false);
            const others = run.graph.filter((n) => n.type !== "aws:efs/fileSystem:FileSystem").map(keyOf);
            expect(others.filter((k) => lifecycleOf({ type: k.split("::")[0], name: k.split("::")[1] })?.protect)).to.deep.equal([]);
        });
    });

    describe("RDS changes", () => {
        const db = (overrides: Record<string, string> = {}) => {
            const values: Record<string, string> = { amiId: "ami-0123456789abcdef0", sshAllowedCidrs: "[\"203.0.113.7/32\"]", ...overrides };
            return readSettings({
                get: (key) => values[key], hasSecret: () => false, secretMapShape: (key) => secretMapShapeOf(values[key]), fileExists: (p) => p === "app/Dockerfile",
            }).db;
        };

        it("waits for the maintenance window by default", () => {
            expect(db().applyImmediately).to.equal(false);
        });

        it("warns of each change that takes the database away, and when it happens", () => {
            const now = { instanceClass: "db.t4g.micro", engineVersion: "8.4.3", allocatedStorageGb: 20, multiAz: true };
            expect(databaseChangeWarnings(now, db())).to.deep.equal([]);
            const [resize] = databaseChangeWarnings(now, db({ dbInstanceClass: "db.t4g.small" }));
            expect(resize).to.match(/^dbInstanceClass db\.t4g\.micro -> db\.t4g\.small restarts the database in the instance's next maintenance window .*failover/);
            const [upgrade] = databaseChangeWarnings(now, db({ dbEngineVersion: "8.4.4", dbApplyImmediately: "true" }));
            expect(upgrade).to.match(/^dbEngineVersion 8\.4\.3 -> 8\.4\.4 restarts the database during this `pulumi up` .*both the primary and the standby are upgraded at the same time/);
            expect(databaseChangeWarnings(now, db({ dbAllocatedStorageGb: "40", dbMultiAz: "false", dbBackupRetentionDays: "14" }))).to.deep.equal([]);
        });

        it("reads the running instance in the preview to decide (DescribeDBInstances by its identifier)", async () => {
            Object.assign(databaseNow, { dbInstanceClass: "db.t4g.micro", engineVersion: "8.4.3" });
            try {
                const run = await runProgram();
                expect(run.invokes.filter((i) => i.token === "aws:rds/getInstance:getInstance").map((i) => i.inputs))
                    .to.deep.equal([{ dbInstanceIdentifier: "db-mysql-4c2e" }]);
            } finally {
                for (const key of Object.keys(databaseNow)) delete databaseNow[key];
            }
        });
    });
});

describe("docs/day-2-changes.md states the program's own numbers", () => {
    const page = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "day-2-changes.md"), "utf8");

    it("holds the generated tables of day-2 changes and RDS settings, and the step bound (regenerate them from components/plan/dayTwoChanges.ts)", () => {
        expect(page.split("\n")[0]).to.match(/^For operators of a running ha-web stack/);
        for (const generated of [dayTwoChangesTable(), rdsChangesTable(), stepBoundText(), diskText()]) {
            expect(page, generated).to.contain(generated);
        }
    });

    it("tells operators to share one state backend with a lock every operator sees, and why a preview shows changes up does not make", () => {
        const section = (heading: string) => page.split(`\n## ${heading}\n`)[1]?.split("\n## ")[0] ?? "";
        expect(section("More than one operator")).to.contain("Pulumi Cloud").and.contain("s3://").and.match(/lock every operator sees/);
        expect(section("Changes the preview shows but `pulumi up` does not make")).to.contain("not known yet").and.contain("pulumi preview --diff");
    });
});
