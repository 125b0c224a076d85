import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { Database } from "./database";
import { HealthGate } from "./healthGate";
import { HostSetup } from "./hostSetup";
import { contentHash, directoryHash } from "./plan/hash";
import { mysqlPort } from "./plan/firewall";
import { awsHostPorts } from "./plan/hostPorts";
import { ContainerLogging } from "./plan/hostConfigFiles";
import { hostPaths } from "./plan/hostPaths";
import { diskUseTiming } from "./plan/diskUse";
import { metricsNamespace } from "./plan/operationsNames";
import { planHosts } from "./plan/stackPlan";
import { changeTokens } from "./plan/step";
import { AppSettings } from "./plan/appSettings";
import { AppInputs, AppSource, builtAppSource, pulledAppSource } from "./plan/hostPlan";
import { Settings } from "./plan/settings";
import { ReleaseImage } from "./releaseImage";
import { ServiceMembership } from "./serviceMembership";
import { SharedStorage } from "./sharedStorage";
import { WebTier } from "./webTier";

/**
 * The app's settings as step values. Each secret is its own secret Output (read from the one
 * `appSecrets` secret map), so it stays encrypted in the env file's resource and the triggers.
 */
function appInputs(app: AppSettings): AppInputs<pulumi.Input<string>> {
    const secretMap = new pulumi.Config().getSecretObject<Record<string, unknown>>("appSecrets");
    return {
        healthPath: app.healthPath,
        env: app.env,
        secrets: Object.fromEntries(app.secretNames.map((name) => [name, secretMap!.apply((m) => String(m[name]))])),
        migrateCommand: app.migrateCommand,
        canary: app.canary,
        limits: app.limits,
        maxRequestBodyKb: app.maxRequestBodyKb,
    };
}

/** How long the health gate waits for every host to answer through the load balancer. */
const healthGateTimeoutSeconds = 300;

/** AWS's CA bundle for RDS in a region (small, unlike the global bundle). */
const rdsCaBundleUrl = (region: string) => `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;

export interface ConfigureHostsArgs {
    settings: Settings;
    /** The configured release, built once and pulled by digest (settings.release). */
    release?: ReleaseImage;
    web: WebTier;
    shared: SharedStorage;
    database: Database;
    vpcCidr: string;
    /** `aws:region` (readStackConfig requires it): the hosts fetch the region's RDS CA bundle. */
    region: string;
    /** Where the app containers' logs go (CentralLogs: the stack's CloudWatch Logs group). */
    logging: ContainerLogging;
    sshPrivateKey: pulumi.Input<string>;
    /** What SSH and the hosts' own traffic need, from the first step to the last drain (routes, firewall rules). */
    reachability: pulumi.Resource[];
}

/**
 * Configures the hosts: each host's plan from the same planHosts() the local stack calls, carried
 * to the hosts by HostSetup (files through our HostFiles provider, commands as remote commands);
 * each host's load-balancer membership (in service before the gate, drained before it is deleted);
 * and a health gate that makes `pulumi up` succeed
 * only when every host serves through the load balancer.
 */
export function configureHosts(args: ConfigureHostsArgs): HealthGate {
    const { settings, web, shared, database } = args;
    // Relative to the project directory, where `pulumi up` runs the program.
    const appDir = path.resolve(settings.app.dir);
    const { release } = args;
    const appSource: AppSource<pulumi.Input<string>> = release
        ? { kind: "image", image: release.image, imageId: release.imageId, ecrRegistry: release.registry }
        : settings.appImage ? pulledAppSource(settings.appImage) : builtAppSource(appDir, directoryHash(appDir));
    const plans = planHosts<pulumi.Input<string>>(web.hosts.map((h) => awsHostPorts(h.name)), {
        trustedProxyCidr: args.vpcCidr,
        sharedDataDir: hostPaths.appDataMount,
        // RDS's address is somewhere in the VPC and moves on a failover; its port is fixed.
        appNetwork: { databaseCidr: args.vpcCidr, databasePort: mysqlPort },
        logging: args.logging,
        metrics: { region: args.region, namespace: metricsNamespace(pulumi.getStack()), timing: diskUseTiming },
        npmCa: settings.appBuildCaFile ? fs.readFileSync(settings.appBuildCaFile, "utf8") : undefined,
        efsDns: shared.dnsName,
        efsAccessPoint: shared.appDataAccessPointId,
        db: {
            host: database.host,
            port: database.port.apply(String),
            name: database.appDatabase,
            user: database.appUser,
            password: database.appPassword,
            adminUser: database.adminUser,
            adminPassword: database.adminPassword,
            tlsCaUrl: rdsCaBundleUrl(args.region),
        },
        appSource,
        app: appInputs(settings.app),
        rolloutBatchSize: settings.rolloutBatchSize,
    });
    const setup = new HostSetup("setup", {
        plans: plans.map((plan, i) => ({ ...plan, instanceId: web.hosts[i].instance.id, address: web.hosts[i].address, hostKey: web.hosts[i].hostKey })),
        sshUser: settings.sshUser,
        sshPrivateKey: args.sshPrivateKey,
        stepPrerequisites: {
            // The first step on each host, so every later one too: SSH needs the route and the SSH rules,
            // the hosts' packages and images need the egress rule, and on destroy these go only after
            // the file sets are removed (without this, only timing and dial retries made it work).
            "step-scripts": args.reachability,
            "mount-shared": shared.mountPrerequisites,
            "create-app-db": [database.instance],
            "discard-old-db-password": [database.instance],
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
        sshPrivateKey: args.sshPrivateKey,
        reachability: args.reachability,
    });

    // Runs again whenever a host is replaced (its instance id) or reconfigured (any step's change
    // tokens), and old hosts are deleted only after it passed (deletes come last in an update).
    return new HealthGate("health-gate", {
        url: web.url,
        listenerArn: web.servingListener.arn,
        hosts: web.hosts.map((h) => h.name),
        instanceIds: web.hosts.map((h) => h.instance.id),
        configDigest: pulumi.all(plans.flatMap((p) => p.steps.flatMap(changeTokens)))
            .apply((tokens) => contentHash(tokens.join("\n"))),
        timeoutSeconds: healthGateTimeoutSeconds,
        release: appSource.image,
    }, { dependsOn: [...setup.steps.values(), ...membership.commands] });
}
