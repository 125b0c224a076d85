import { expect } from "chai";
import { fileSystemPolicy, hostClientPolicy } from "../../components/plan/sharedStoragePolicy";
import { decide, hostRoleBoundary, RequestSide, SimulatedRequest, where } from "./support/iamSimulation";

/**
 * The shared file system's policy and the hosts' role, evaluated as AWS would (@cloud-copilot/iam-simulate):
 * the file-system policy as the resource policy, each client's identity policy, the hosts' boundary.
 */
const fileSystem = `arn:aws:elasticfilesystem:${where.region}:${where.account}:file-system/fs-0a1b2c3d`;
const hostRole = `arn:aws:iam::${where.account}:role/logs-host-role-7f3a`;
const otherRole = `arn:aws:iam::${where.account}:role/someone-else`;
const resourcePolicy = fileSystemPolicy(fileSystem, hostRole);
const admin = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }] };
const nothing = { Version: "2012-10-17", Statement: [{ Sid: "Unrelated", Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }] };

/** A session of `role` (an instance's credentials: efs-utils signs its client certificate with them). */
const sessionOf = (role: string): RequestSide => ({
    principal: `${role.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/i-0abc`,
    context: { "aws:PrincipalArn": role },
    resourcePolicy,
});
const client = (action: string, overTls = true, target = fileSystem): SimulatedRequest => ({
    action: `elasticfilesystem:${action}`,
    resource: target,
    context: { "aws:SecureTransport": String(overTls), "elasticfilesystem:AccessedViaMountTarget": "true" },
});

describe("the shared file system lets in the hosts' role only, over TLS, and root for no one else (components/plan/sharedStoragePolicy.ts)", () => {
    it("lets the hosts' role mount, write and act as root over TLS, within its boundary", async () => {
        for (const action of ["ClientMount", "ClientWrite", "ClientRootAccess"]) {
            expect(await decide(hostClientPolicy(fileSystem), client(action), hostRoleBoundary(), sessionOf(hostRole)), action).to.equal("Allowed");
        }
    });

    it("refuses everything without TLS, the hosts' role included", async () => {
        for (const action of ["ClientMount", "ClientWrite", "ClientRootAccess"]) {
            expect(await decide(hostClientPolicy(fileSystem), client(action, false), hostRoleBoundary(), sessionOf(hostRole)), action).to.equal("ExplicitlyDenied");
        }
    });

    it("never gives root to another principal of the account, even one allowed everything", async () => {
        expect(await decide(admin, client("ClientRootAccess"), undefined, sessionOf(otherRole))).to.equal("ExplicitlyDenied");
    });

    it("gives another principal without its own permission nothing at all", async () => {
        expect(await decide(nothing, client("ClientMount"), undefined, sessionOf(otherRole))).to.equal("ImplicitlyDenied");
    });

    it("keeps the hosts' role to this file system", async () => {
        const another = `arn:aws:elasticfilesystem:${where.region}:${where.account}:file-system/fs-0ffff`;
        expect(await decide(hostClientPolicy(fileSystem), client("ClientMount", true, another), hostRoleBoundary(), { ...sessionOf(hostRole), resourcePolicy: undefined })).to.equal("ImplicitlyDenied");
    });
});
