import { ProgramRun, runProgram } from "./runProgram";

/**
 * Every configuration that changes which resources the program registers, or how they connect:
 * the checks that must hold for any stack (the deployer's policy, AWS's ordering and naming rules,
 * `pulumi destroy`) run over each of them.
 */
export const configurationVariants: Record<string, Record<string, string>> = {
    "the defaults (new network, generated key, access logs, hosts build the app)": {},
    "an existing network": {
        existingVpcId: "vpc-0123abcd",
        existingPublicSubnetIds: JSON.stringify(["subnet-0aaa1111", "subnet-0bbb2222"]),
        existingPrivateSubnetIds: JSON.stringify(["subnet-0ccc3333", "subnet-0ddd4444"]),
    },
    "your own domain (certificate validated here) and an alert address": {
        domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", alertEmail: "ops@example.com",
    },
    "a certificate of your own, three hosts, no final database snapshot": {
        certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
        hostCount: "3", dbSkipFinalSnapshot: "true",
    },
    "a release built once into the stack's ECR repository": { release: "v7" },
    "a prebuilt app image in ECR, no access logs": {
        appImage: "123456789012.dkr.ecr.us-west-2.amazonaws.com/team/shop:2.4.0@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", appMigrateCommand: "", albAccessLogs: "false",
    },
};

let runs: Promise<Map<string, ProgramRun>> | undefined;

/** The program run once per variant, shared by every test file that reads the runs (and never changes them). */
export function variantRuns(): Promise<Map<string, ProgramRun>> {
    runs ??= (async () => {
        const result = new Map<string, ProgramRun>();
        for (const [variant, config] of Object.entries(configurationVariants)) result.set(variant, await runProgram(config));
        return result;
    })();
    return runs;
}
