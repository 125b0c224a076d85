import { appUid } from "./appUser";
import { CanarySettings, canarySpec } from "./canarySettings";
import { healthCheck, rejoinWindowSeconds } from "./healthCheck";
import { dbTlsEnvName } from "./hostConfigFiles";
import { HostPaths } from "./hostPaths";
import { nginxReload } from "./nginxReload";
import { renderFile } from "./render";
import { appDataAccessPoint } from "./sharedStoragePolicy";

export function waitForBootScript(): string {
    return renderFile("wait-for-boot.sh", {});
}

/**
 * The Debian 12 packages bootstrap installs on every host: docker.io + docker-compose (1.29, Debian
 * has no compose v2 plugin), mariadb-client (`mariadb`, with which create-app-db sets up the database:
 * no app image needed), util-linux for flock, iptables for the live app port,
 * amazon-ecr-credential-helper to pull from ECR with the instance profile (pull-image.sh sets it up),
 * awscli for ha-web-disk-use's `aws cloudwatch put-metric-data` (the disk alarm's data; a timer and one
 * command, where the CloudWatch agent would be a second daemon from outside Debian for one metric).
 * The local stack's AMI stand-in keeps their .deb files in apt's cache (local/stack/amiImage.ts).
 */
export const hostPackages = ["nginx", "docker.io", "docker-compose", "nfs-common", "mariadb-client", "git", "curl", "ca-certificates", "jq", "util-linux", "iptables", "amazon-ecr-credential-helper", "awscli"];

export function bootstrapScript(hostname: string, secretsDir: string): string {
    return renderFile("bootstrap.sh", { hostname, packages: hostPackages.join(" "), secretsDir });
}

export function mountSharedScript(paths: HostPaths): string {
    return renderFile("mount-shared.sh", {
        mountPoint: paths.sharedMount,
        appUid: String(appUid),
        dataMount: paths.appDataMount,
        dataMode: appDataAccessPoint.permissions,
        mountedRecord: paths.sharedMountRecord,
    });
}

export interface BuildOptions {
    /** Base image other than the Dockerfile's default ("" = default). */
    baseImage?: string;
    /** PEM text of a CA npm must trust (TLS-intercepting proxies). */
    npmCa?: string;
}

export function buildImageScript(paths: HostPaths, options: BuildOptions): string {
    return renderFile("build-image.sh", {
        appDir: paths.appDir,
        baseImage: options.baseImage ?? "",
    });
}

export function pullImageScript(): string {
    return renderFile("pull-image.sh", {});
}

export function applyConfigScript(paths: HostPaths): string {
    return renderFile("apply-config.sh", {
        dbCaFile: paths.dbCaFile,
        dbTlsEnvFile: paths.dbTlsEnvFile,
        dbTlsEnvName,
        nginxSite: paths.nginxSite,
        nginxApplied: paths.nginxApplied,
        nginxInstanceHeader: paths.nginxInstanceHeader,
        cloudInstanceIdFile: paths.cloudInstanceIdFile,
        nginxMainConfig: paths.nginxMainConfig,
        nginxAccessLog: paths.nginxAccessLog,
        nginxStagedMainConfig: paths.nginxStagedMainConfig,
        nginxStagedSite: paths.nginxStagedSite,
        deployCommand: paths.deployCommand,
        liveCommand: paths.liveCommand,
        liveUnit: paths.liveUnit,
        diskUseTimer: paths.diskUseTimer,
        metadataGuardUnit: paths.metadataGuardUnit,
        appNetworkUnit: paths.appNetworkUnit,
        drainCommand: paths.drainCommand,
        undrainCommand: paths.undrainCommand,
        composeFile: paths.composeFile,
        sharedScriptsDir: paths.sharedScriptsDir,
        drainFlag: paths.drainFlag,
        closeFlag: paths.nginxCloseFlag,
        closeSeconds: String(nginxReload.closeSeconds),
        shutdownWaitSeconds: String(nginxReload.shutdownWaitSeconds),
        nginxPidFile: paths.nginxPidFile,
        // Three rejoin windows: the checks after the undrain, and slack for a busy host.
        rejoinTimeoutSeconds: String(3 * rejoinWindowSeconds()),
        userAgentPrefix: healthCheck.userAgentPrefix,
        healthyThreshold: String(healthCheck.healthyThreshold),
    });
}

/** How long one host step may run, enforced on the host by `ha-web-step`: long enough for an image build. */
export const stepTimeoutSeconds = 20 * 60;

/** `ha-web-step`, which every command step runs. */
export function stepRunnerScript(paths: HostPaths, timeoutSeconds = stepTimeoutSeconds): string {
    return renderFile("run-step.sh", { stepsDir: paths.stepsDir, logDir: paths.stepLogDir, stepTimeoutSeconds: String(timeoutSeconds) });
}

export function createAppDbScript(paths: HostPaths): string {
    return renderFile("create-app-db.sh", { dbCaFile: paths.dbCaFile });
}

export function discardOldDbPasswordScript(paths: HostPaths): string {
    return renderFile("discard-old-db-password.sh", { dbCaFile: paths.dbCaFile });
}

/** `canary`: this host is the rollout's first, which judges the release before the others get it. */
export function rolloutScript(paths: HostPaths, canary?: CanarySettings): string {
    return renderFile("rollout.sh", { deployCommand: paths.deployCommand, canarySpec: canary ? canarySpec(canary) : "" });
}

export function migrateScript(paths: HostPaths): string {
    return renderFile("migrate.sh", { deployCommand: paths.deployCommand });
}
