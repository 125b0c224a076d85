import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { secretMapShapeOf } from "./plan/appSettings";
import { internetWideCidrs } from "./plan/cidr";
import { plainTextEntries } from "./plan/stackFile";
import { elasticIpQuotaWarning } from "./plan/elasticIpQuota";
import { stackNameProblem } from "./plan/operationsNames";
import { amiLookupCommand, checkAmi, checkAzCount, pinnedAmiLookup, readSettings, Settings } from "./plan/settings";

/**
 * Whether the engine marked a key secret: @pulumi/pulumi 3.248 runtime/config.js exports
 * `isConfigSecret` (it reads the engine's list of secret keys) but its .d.ts does not declare it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(fullKey: string): boolean };

/** The stack's settings file, where `pulumi config set` keeps values (empty when config lives elsewhere, e.g. Pulumi ESC). */
function stackFileText(): string {
    const file = `Pulumi.${pulumi.getStack()}.yaml`;
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** The stack's checked settings and what they resolve to in the account: AZs and the VPC's CIDR. */
export interface StackConfig {
    config: pulumi.Config;
    settings: Settings;
    /** The AZs a new VPC spans (empty for an existing VPC). */
    azs: string[];
    /** The VPC's CIDR: nginx trusts X-Forwarded-For only from inside it (the load balancer's addresses). */
    vpcCidr: string;
    /** `aws:region`: alarm actions, the dashboard and the hosts' log driver name it. */
    region: string;
}

/**
 * Every key is checked before anything is created: a bad value fails the preview, listing all
 * problems; then the lookups that can fail a preview too (the pinned AMI's architecture, the AZs).
 */
export async function readStackConfig(): Promise<StackConfig> {
    const config = new pulumi.Config();
    const region = aws.config.region;
    if (!region) {
        throw new Error("Invalid configuration:\n - aws:region is not set: pulumi config set aws:region us-west-2");
    }
    const stackProblem = stackNameProblem(pulumi.getStack());
    if (stackProblem) {
        throw new Error(`Invalid configuration:\n - ${stackProblem}`);
    }
    const settings = readSettings({
        get: (key) => config.get(key),
        hasSecret: (key) => config.getSecret(key) !== undefined,
        // Names and kinds only: values are read as secrets where they are used (configureHosts).
        secretMapShape: (key) => {
            const fullKey = `${config.name}:${key}`;
            const plainInFile = plainTextEntries(stackFileText(), fullKey);
            return secretMapShapeOf(config.get(key), (name) => !isConfigSecret(fullKey) || plainInFile.includes(name));
        },
        fileExists: (path) => fs.existsSync(path),
        region,
    });
    const wide = internetWideCidrs(settings.sshAllowedCidrs);
    if (wide.length > 0) {
        pulumi.log.warn(`sshAllowedCidrs includes ${wide.join(", ")}: SSH on every host is open to a large part of the internet or all of it. `
            + "Set it to your own address: pulumi config set --path 'sshAllowedCidrs[0]' <your-ip>/32");
    }
    const quota = elasticIpQuotaWarning(settings.hostCount);
    if (quota) {
        pulumi.log.warn(quota);
    }
    // A pinned image of the wrong architecture would fail only at boot; say so in the preview instead.
    const ami = await aws.ec2.getAmi(pinnedAmiLookup(settings.amiId)).catch((error: Error) => {
        throw new Error(`amiId ${settings.amiId} is not a Debian image in ${region} (${error.message}). `
            + `Pin one Debian published: pulumi config set amiId "$(${amiLookupCommand(settings.instanceType, region)})"`);
    });
    checkAmi(settings.amiId, ami.architecture, settings.instanceType);

    if (settings.existingNetwork) {
        const vpc = await aws.ec2.getVpc({ id: settings.existingNetwork.vpcId });
        return { config, settings, azs: [], vpcCidr: vpc.cidrBlock, region };
    }
    // Real AZs only: Local and Wavelength Zones (in opted-in accounts) have no EFS or RDS.
    const zones = await aws.getAvailabilityZones({ state: "available", filters: [{ name: "zone-type", values: ["availability-zone"] }] });
    checkAzCount(settings.azCount, zones.names, region);
    return { config, settings, azs: zones.names.slice(0, settings.azCount), vpcCidr: settings.vpcCidr, region };
}
