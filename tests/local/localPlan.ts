import { hostLogRotation } from "../../components/plan/hostFiles";
import * as path from "path";
import { directoryHash } from "../../components/plan/hash";
import { planHosts } from "../../components/plan/hostPlans";
import { appPasswordSecret, adminPasswordSecret, publishedDatabaseCa } from "./database";
import { baseImages } from "./images";
import { LocalAppSettings, readLocalSettings } from "./localSettings";
import { secret } from "./secrets";
import { HostPlan } from "./stepExecutor";
import { database, hostLayouts, repoRoot, sharedDir } from "./stackLayout";

export const appDir = path.join(repoRoot, "app");

/**
 * The app as the hosts' build-image step names it: `ha-web-app:<label>`; the step builds with the
 * tag as APP_VERSION, so the label is the version the app reports.
 */
export function appImageFor(label: string): string {
    return `ha-web-app:${label}`;
}

/**
 * Each host's steps, from the same `planHosts()` the Pulumi program calls, with this machine's values
 * and the app settings of local.settings.json.
 */
export function localHostPlans(appImage: string, settings: LocalAppSettings = readLocalSettings()): HostPlan[] {
    const { app, secrets } = settings;
    return planHosts<string>(hostLayouts, {
        // Hosts share this machine's network: nginx binds its own loopback port.
        listenAddress: "127.0.0.1",
        trustedProxyCidr: "127.0.0.1/32",
        // Not resolved: /shared is already a bind mount, so mount-shared leaves it as it is.
        efsDns: "efs.local-stack.invalid",
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
        appSource: { kind: "build", dir: app.dir, hash: directoryHash(app.dir), image: appImage },
        app: { healthPath: app.healthPath, env: app.env, secrets, migrateCommand: app.migrateCommand },
        // A path on this machine: the daemon the hosts drive resolves bind sources here.
        sharedDataDir: path.join(sharedDir, "data"),
        // Logs stay on this machine, rotated as on a host without CloudWatch.
        logging: hostLogRotation,
        baseImage: baseImages.node,
    });
}
