import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import * as path from "path";
import { HostPlan, planHosts } from "../../components/plan/stackPlan";
import { AppSource } from "../../components/plan/hostPlan";
import { appPasswordSecret, adminPasswordSecret, publishedDatabaseCa } from "../stack/database";
import { resolvConf } from "../stack/databaseDns";
import { localMetrics } from "../stack/cloudWatch";
import { baseImages } from "../stack/images";
import { LocalAppSettings, readLocalHostSettings } from "../releases/localSettings";
import { machineSecretsRoot } from "../stack/machines";
import { metadataStandInAddress } from "../stack/metadataStandIn";
import { secret } from "../stack/secrets";
import { database, databaseServersCidr, sharedDir } from "../stack/stackLayout";
import { localHosts } from "../stack/stackHosts";

/**
 * Each host's steps, from the same `planHosts()` the Pulumi program calls, with this machine's
 * values; `appSource` and `settings` are a release's (release.ts `releasePlans`), the hosts and their
 * batches local.settings.json's now.
 */
export function localHostPlans(appSource: AppSource<string>, settings: LocalAppSettings): HostPlan<string>[] {
    const { app, secrets } = settings;
    return planHosts<string>(localHosts(), {
        // Hosts share this machine's network: nginx binds its own loopback port.
        listenAddress: "127.0.0.1",
        trustedProxyCidr: "127.0.0.1/32",
        // Not resolved: /shared is already a bind mount, so mount-shared leaves it as it is.
        efsDns: "fs-0.efs.local-stack.invalid",
        efsAccessPoint: "fsap-0",
        db: {
            host: database.host,
            port: String(database.port),
            name: database.name,
            user: database.user,
            password: secret(appPasswordSecret),
            adminUser: database.adminUser,
            adminPassword: secret(adminPasswordSecret),
            tlsCaUrl: `file://${publishedDatabaseCa}`,
        },
        appSource,
        app: { healthPath: app.healthPath, env: app.env, secrets, migrateCommand: app.migrateCommand, canary: app.canary, limits: app.limits, maxRequestBodyKb: app.maxRequestBodyKb },
        // A path on this machine: the daemon the hosts drive resolves bind sources here.
        sharedDataDir: path.join(sharedDir, "data"),
        machineSecretsRoot,
        metadataAddress: metadataStandInAddress,
        // Either database server (a failover moves the endpoint's name from one to the other).
        appNetwork: { databaseCidr: databaseServersCidr, databasePort: database.port },
        // Logs stay on this machine, rotated as on a host without CloudWatch.
        logging: hostLogRotation,
        // The app containers resolve the database's name as the hosts do (on AWS: the VPC's resolver).
        resolvConf,
        // Disk use to the CloudWatch stand-in.
        metrics: localMetrics,
        baseImage: baseImages.node,
        rolloutBatchSize: readLocalHostSettings().rolloutBatchSize,
    });
}
