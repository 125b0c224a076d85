// ha-web: a web app on AWS that stays up. Reads top to bottom like the architecture diagram in
// README.md: configuration, network, firewall, shared storage, database, web tier, host set-up.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { Database } from "./components/database";
import { Network } from "./components/network";
import { checkAzCount, readSettings } from "./components/plan/settings";
import { SecurityGroups } from "./components/securityGroups";
import { SharedStorage } from "./components/sharedStorage";
import { WebTier } from "./components/webTier";
import { awsHostLayout } from "./components/plan/hostLayout";

export = async () => {
    // Every key is checked before anything is created: a bad value fails the preview, listing all problems.
    const config = new pulumi.Config();
    const settings = readSettings({
        get: (key) => config.get(key),
        hasSecret: (key) => config.getSecret(key) !== undefined,
        fileExists: (path) => fs.existsSync(path),
    });
    const tags = { project: "ha-web", stack: pulumi.getStack() };
    const hostPort = awsHostLayout("any").nginxPort;

    if (settings.sshAllowedCidrs.includes("0.0.0.0/0")) {
        pulumi.log.warn("sshAllowedCidrs includes 0.0.0.0/0: SSH on every host is open to the whole internet. "
            + "Set it to your own address: pulumi config set --path 'sshAllowedCidrs[0]' <your-ip>/32");
    }

    let azs: string[] = [];
    if (!settings.existingNetwork) {
        const region = aws.config.region ?? "the region";
        const zones = await aws.getAvailabilityZones({ state: "available" });
        checkAzCount(settings.azCount, zones.names, region);
        azs = zones.names.slice(0, settings.azCount);
    }
    const network = new Network("net", {
        azs,
        vpcCidr: settings.vpcCidr,
        existing: settings.existingNetwork,
        tags,
    });

    const firewall = new SecurityGroups("sg", {
        vpcId: network.vpcId,
        sshAllowedCidrs: settings.sshAllowedCidrs,
        https: settings.certificateArn !== undefined,
        hostPort,
        tags,
    });

    // EFS allows one mount target per AZ; hosts use the AZs in order, so the first min(hosts, AZs) private subnets.
    const hostAzCount = Math.min(settings.hostCount, network.privateSubnetIds.length);
    const shared = new SharedStorage("shared", {
        subnetIds: network.privateSubnetIds.slice(0, hostAzCount),
        securityGroupId: firewall.ids.efs,
        tags,
    });

    const database = new Database("db", {
        settings: settings.db,
        subnetIds: network.privateSubnetIds,
        securityGroupId: firewall.ids.db,
        adminPassword: config.getSecret("dbAdminPassword"),
        appPassword: config.getSecret("dbPassword"),
        tags,
    });

    const web = new WebTier("web", {
        hostCount: settings.hostCount,
        publicSubnetIds: network.publicSubnetIds,
        vpcId: network.vpcId,
        lbSecurityGroupId: firewall.ids.lb,
        hostSecurityGroupId: firewall.ids.hosts,
        hostPort,
        instanceType: settings.instanceType,
        amiId: settings.amiId,
        sshPublicKey: settings.sshPublicKey,
        certificateArn: settings.certificateArn,
        tags,
    });

    return {
        url: web.url,
        lbDnsName: web.lbDnsName,
        hostIps: pulumi.output(Object.fromEntries(web.hosts.map((h) => [h.name, h.publicIp]))),
        sshUser: settings.sshUser,
        efsDnsName: shared.dnsName,
        dbEndpoint: database.endpoint,
        dbName: database.appDatabase,
        dbUser: database.appUser,
        dbAdminUser: database.adminUser,
        // Secret outputs: read with `pulumi stack output --show-secrets <name>`.
        sshPrivateKey: web.generatedPrivateKey,
        dbAdminPassword: database.adminPassword,
        dbPassword: database.appPassword,
    };
};
