// ha-web: a web app on AWS that stays up. Reads top to bottom like the architecture diagram in
// README.md: configuration, network, firewall, shared storage, database, logs, web tier (with your
// own domain), host set-up with a health gate that makes `pulumi up` succeed only when the site
// really serves, then what operates it: alarms that page and heal hosts, and a dashboard.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CentralLogs } from "./components/logs";
import { Database } from "./components/database";
import { DomainAlias, DomainCertificate } from "./components/domain";
import { HttpRouting } from "./components/httpRouting";
import { operate } from "./components/operations";
import { configureHosts } from "./components/configureHosts";
import { Network } from "./components/network";
import { awsHostPorts } from "./components/plan/hostPorts";
import { SecurityGroups } from "./components/securityGroups";
import { SharedStorage } from "./components/sharedStorage";
import { ReleaseImage } from "./components/releaseImage";
import { readStackConfig } from "./components/stackConfig";
import { WebTier } from "./components/webTier";

export = async () => {
    const { config, settings, azs, vpcCidr, region } = await readStackConfig();
    const tags = { project: "ha-web", stack: pulumi.getStack() };
    const hostPort = awsHostPorts("any").nginxPort;

    const network = new Network("net", { azs, vpcCidr: settings.vpcCidr, existing: settings.existingNetwork, tags });

    // Not "sg": AWS rejects security group names that begin with "sg-".
    const firewall = new SecurityGroups("fw", {
        vpcId: network.vpcId,
        sshAllowedCidrs: settings.sshAllowedCidrs,
        https: settings.certificateArn !== undefined || settings.domain !== undefined,
        hostPort,
        tags,
    });

    // The release named in config, built once on this machine into the stack's ECR repository (docs/releases.md).
    const release = settings.release === undefined
        ? undefined
        : new ReleaseImage("release", { label: settings.release, appDir: path.resolve(settings.app.dir), region, tags });

    // The app's container logs to CloudWatch (through the hosts' instance profile), access logs to S3.
    const logs = new CentralLogs("logs", { settings: settings.logs, region, appImage: settings.appImage, releasePullPolicy: release?.hostPullPolicy, tags });

    // EFS allows one mount target per AZ; hosts use the AZs in order, so the first min(hosts, AZs) private subnets.
    const hostAzCount = Math.min(settings.hostCount, network.privateSubnetIds.length);
    const shared = new SharedStorage("shared", {
        subnetIds: network.privateSubnetIds.slice(0, hostAzCount), securityGroupId: firewall.ids.efs, deletionProtection: settings.efsDeletionProtection,
        hostRole: logs.hostRole, tags,
    });

    const database = new Database("db", {
        settings: settings.db,
        subnetIds: network.privateSubnetIds,
        securityGroupId: firewall.ids.db,
        adminPassword: config.getSecret("dbAdminPassword"), appPassword: config.getSecret("dbPassword"),
        tags,
    });

    // Your own domain: the certificate is validated before the load balancer uses it, the alias comes after.
    const domain = settings.domain && { domain: settings.domain, tags };
    const certificate = domain && !settings.certificateArn ? new DomainCertificate("domain", domain) : undefined;

    const web = new WebTier("web", {
        hostCount: settings.hostCount,
        publicSubnetIds: network.publicSubnetIds,
        vpcId: network.vpcId,
        internetRoutes: network.internetRoutes,
        lbSecurityGroupId: firewall.ids.lb,
        hostSecurityGroupId: firewall.ids.hosts,
        hostPort,
        instanceType: settings.instanceType, amiId: settings.amiId,
        sshPublicKey: settings.sshPublicKey,
        certificateArn: settings.certificateArn ?? certificate?.certificateArn,
        instanceProfileName: logs.instanceProfileName,
        accessLogs: logs.accessLogs,
        tags,
    });
    const alias = domain && new DomainAlias("domain", { ...domain, loadBalancer: { dnsName: web.lbDnsName, zoneId: web.lbZoneId } });

    // Each host's plan carried to it over SSH, drained before it is deleted, and a health gate last.
    const healthGate = configureHosts({
        settings, release, web, shared, database, vpcCidr, region, logging: logs.containerLogging,
        sshPrivateKey: web.generatedPrivateKey ?? config.requireSecret("sshPrivateKey"),
        reachability: [network, firewall],
    });

    // HTTP redirects to HTTPS only once every host answered through the HTTPS listener.
    new HttpRouting("web-http-routing", {
        httpListener: web.httpListener,
        targetGroupArn: web.targetGroupArn,
        redirectAfter: web.httpsListener && [web.httpsListener, healthGate],
        tags,
    });

    // Alarms to an SNS topic (recovering or rebooting a failed host) once the hosts serve, and a dashboard.
    const { alertTopicArn, dashboardUrl } = operate({ settings, web, database, shared, logs, region, after: [healthGate], tags });

    return {
        url: alias ? alias.url : web.url,
        lbDnsName: web.lbDnsName,
        // For the drain procedure: aws elbv2 describe-target-health --target-group-arn <this>.
        targetGroupArn: web.targetGroupArn,
        alertTopicArn, dashboardUrl,
        logGroupName: logs.logGroupName,
        // The release images' ECR repository (docs/releases.md), when `release` is set.
        releaseRepository: release?.repositoryName,
        release: release && pulumi.output({ label: settings.release, image: release.image, imageId: release.imageId }),
        accessLogBucket: logs.accessLogs?.bucket,
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
