// ha-web: a web app on AWS that stays up. Reads top to bottom like the architecture diagram in
// README.md: configuration, network, firewall, shared storage, database, web tier, host set-up,
// and a health gate that makes `pulumi up` succeed only when the site really serves.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Database } from "./components/database";
import { HealthGate } from "./components/healthGate";
import { HostSetup } from "./components/hostSetup";
import { Network } from "./components/network";
import { contentHash, directoryHash } from "./components/plan/hash";
import { awsHostLayout } from "./components/plan/hostLayout";
import { hostPaths } from "./components/plan/hostPaths";
import { AppSource, builtAppSource, hostSteps } from "./components/plan/hostSteps";
import { checkAmi, checkAzCount, readSettings } from "./components/plan/settings";
import { SecurityGroups } from "./components/securityGroups";
import { ServiceMembership } from "./components/serviceMembership";
import { SharedStorage } from "./components/sharedStorage";
import { WebTier } from "./components/webTier";

/** How long the health gate waits for every host to answer through the load balancer. */
const healthGateTimeoutSeconds = 300;

/** AWS's CA bundle for RDS in a region (small, unlike the global bundle). */
const rdsCaBundleUrl = (region: string) => `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;

export = async () => {
    // Every key is checked before anything is created: a bad value fails the preview, listing all problems.
    const config = new pulumi.Config();
    const settings = readSettings({
        get: (key) => config.get(key),
        hasSecret: (key) => config.getSecret(key) !== undefined,
        fileExists: (path) => fs.existsSync(path),
        region: aws.config.region,
    });
    const tags = { project: "ha-web", stack: pulumi.getStack() };
    const hostPort = awsHostLayout("any").nginxPort;

    if (settings.sshAllowedCidrs.includes("0.0.0.0/0")) {
        pulumi.log.warn("sshAllowedCidrs includes 0.0.0.0/0: SSH on every host is open to the whole internet. "
            + "Set it to your own address: pulumi config set --path 'sshAllowedCidrs[0]' <your-ip>/32");
    }
    // A pinned image of the wrong architecture would fail only at boot; say so in the preview instead.
    const ami = await aws.ec2.getAmi({ filters: [{ name: "image-id", values: [settings.amiId] }] });
    checkAmi(settings.amiId, ami.architecture, settings.instanceType);

    let azs: string[] = [];
    // nginx trusts X-Forwarded-For from inside the VPC only (the load balancer's addresses).
    let vpcCidr = settings.vpcCidr;
    if (settings.existingNetwork) {
        vpcCidr = (await aws.ec2.getVpc({ id: settings.existingNetwork.vpcId })).cidrBlock;
    } else {
        const region = aws.config.region ?? "the region";
        // Real AZs only: Local and Wavelength Zones (in opted-in accounts) have no EFS or RDS.
        const zones = await aws.getAvailabilityZones({
            state: "available",
            filters: [{ name: "zone-type", values: ["availability-zone"] }],
        });
        checkAzCount(settings.azCount, zones.names, region);
        azs = zones.names.slice(0, settings.azCount);
    }
    const network = new Network("net", {
        azs,
        vpcCidr: settings.vpcCidr,
        existing: settings.existingNetwork,
        tags,
    });

    // Not "sg": AWS rejects security group names that begin with "sg-".
    const firewall = new SecurityGroups("fw", {
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

    // Each host's steps, rendered from files/ by the same functions the local stack runs; the host
    // set-up turns them into remote commands: boot, packages, EFS, image, config, database, rollout.
    const appSource: AppSource<pulumi.Input<string>> = settings.appImage
        ? { kind: "image", image: settings.appImage }
        : builtAppSource(path.join(__dirname, "app"), directoryHash(path.join(__dirname, "app")));
    const firstHost = web.hosts[0].name;
    const plans = web.hosts.map((host, i) => ({
        host: host.name,
        instanceId: host.instance.id,
        address: host.address,
        hostKey: host.hostKey,
        steps: hostSteps<pulumi.Input<string>>(awsHostLayout(host.name), {
            firstHost,
            previousHost: i > 0 ? web.hosts[i - 1].name : undefined,
            listen: String(hostPort),
            trustedProxyCidr: vpcCidr,
            sharedDataDir: `${hostPaths.sharedMount}/data`,
            npmCa: settings.appBuildCaFile ? fs.readFileSync(settings.appBuildCaFile, "utf8") : undefined,
            efsDns: shared.dnsName,
            db: {
                host: database.host,
                port: database.port.apply(String),
                name: database.appDatabase,
                user: database.appUser,
                password: database.appPassword,
                adminUser: database.adminUser,
                adminPassword: database.adminPassword,
                tlsCaUrl: rdsCaBundleUrl(aws.config.region ?? "us-west-2"),
            },
            appSource,
        }),
    }));
    const sshPrivateKey = web.generatedPrivateKey ?? config.requireSecret("sshPrivateKey");
    const setup = new HostSetup("setup", {
        plans,
        sshUser: settings.sshUser,
        sshPrivateKey,
        stepPrerequisites: {
            "mount-shared": shared.mountTargets,
            "create-app-db": [database.instance],
        },
    });

    // Each new host counts once the load balancer's checks pass on it; each host is drained before
    // Pulumi deletes it (replaced, or removed by a lower hostCount), one at a time.
    const stepsOf = (host: string) => [...setup.steps].filter(([name]) => name.startsWith(`${host}/`)).map(([, step]) => step);
    const membership = new ServiceMembership("in-service", {
        hosts: web.hosts.map((host) => ({
            host: host.name,
            instanceId: host.instance.id,
            address: host.address,
            hostKey: host.hostKey,
            dependsOn: [...host.inService, ...stepsOf(host.name)],
        })),
        sshUser: settings.sshUser,
        sshPrivateKey,
        reachability: [network, firewall],
    });

    // Runs again whenever a host is replaced (its instance id) or reconfigured (any step's triggers),
    // and old hosts are deleted only after it passed (deletes come last in an update: ServiceMembership).
    new HealthGate("health-gate", {
        url: web.url,
        hosts: web.hosts.map((h) => h.name),
        instanceIds: web.hosts.map((h) => h.instance.id),
        configDigest: pulumi.all(plans.flatMap((p) => p.steps.flatMap((s) => s.triggers)))
            .apply((triggers) => contentHash(triggers.join("\n"))),
        timeoutSeconds: healthGateTimeoutSeconds,
        release: appSource.image,
    }, { dependsOn: [...setup.steps.values(), ...membership.commands] });

    return {
        url: web.url,
        lbDnsName: web.lbDnsName,
        hostIps: pulumi.output(Object.fromEntries(web.hosts.map((h) => [h.name, h.address]))),
        // For an operator's known_hosts: the same keys Pulumi pins.
        hostKeys: pulumi.output(Object.fromEntries(web.hosts.map((h) => [h.name, h.hostKey]))),
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
