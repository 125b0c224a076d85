import * as path from "path";
import { AppNetwork, renderAppNetworkScript, renderAppNetworkUnit } from "./appNetwork";
import { ContainerLimits } from "./appSettings";
import { appStopGraceSeconds, detectionWindowSeconds, healthCheck } from "./healthCheck";
import { HostPorts } from "./hostPorts";
import { liveChain, liveSwitchSettleSeconds, upstreamKeepalive } from "./liveSwitch";
import { diskUseMetric, MetricsDestination } from "./diskUse";
import { HostPaths } from "./hostPaths";
import { renderFile } from "./render";
import { appUid } from "./appUser";

/** The configuration files of a host (its host-config file set), rendered from `files/`. */
export interface HostConfigFiles {
    nginxMainConfig: string;
    nginxSite: string;
    composeFile: string;
    deployScript: string;
    liveScript: string;
    liveUnit: string;
    metadataGuardUnit: string;
    appNetworkScript: string;
    appNetworkUnit: string;
    nginxLogrotate: string;
    logrotateHourly: string;
    drainScript: string;
    undrainScript: string;
    diskUseScript: string;
    diskUseUnit: string;
    diskUseTimer: string;
}

/**
 * Where the app containers' output goes: kept on the host, rotated (the local stack), or shipped to
 * a CloudWatch Logs group with Docker's awslogs driver (AWS: the instance profile allows only that group).
 */
export type ContainerLogging =
    | { driver: "json-file"; maxSizeMb: number; maxFiles: number }
    | { driver: "awslogs"; region: string; group: string };

/** Images a host keeps (the current one and the ones before it, to roll back to); older ones are pruned. */
export const keptReleases = 3;
/** Build cache unused for this long is pruned after a deploy (a rebuild of a recent release stays fast). */
export const buildCacheHours = 24;

/** Logs kept on the host (the local stack's app logs; nginx's logs everywhere): 10 MB x 5 files. */
export const hostLogRotation = { driver: "json-file", maxSizeMb: 10, maxFiles: 5 } as const satisfies ContainerLogging;

export interface HostConfigOptions {
    /** nginx `listen` value: "80" on AWS, "127.0.0.1:8081" locally. */
    listen: string;
    /** The load balancer's addresses, trusted for X-Forwarded-For. */
    trustedProxyCidr: string;
    /** Host-side folder bind-mounted into the app as its SHARED_DIR. */
    sharedDataDir: string;
    /** Where instance metadata answers: EC2's link-local address, or the local stack's loopback stand-in. */
    metadataAddress?: string;
    /** What the app may reach besides DNS: its database (files/app-network.sh). */
    appNetwork: AppNetwork;
    /**
     * The local stack only: its host containers drive this machine's Docker engine, which resolves
     * bind sources here, so each host's paths.secretsDir is also at `<machineSecretsRoot>/<host>`
     * (machineSecretsDir). Unset on AWS, where the engine runs on the host itself.
     */
    machineSecretsRoot?: string;
    logging: ContainerLogging;
    /**
     * A resolv.conf the app containers use instead of the host's: the local stack's name server, which
     * serves the database's name as Route 53 serves the RDS endpoint's. Unset on AWS, where the host's
     * own resolver (the VPC's) answers for the endpoint.
     */
    resolvConf?: string;
    /** Where ha-web-disk-use publishes the host's disk use. */
    metrics: MetricsDestination;
}

/** The app drains for a little less than compose waits before SIGKILL, so a drain always finishes. */
const shutdownTimeoutMs = (appStopGraceSeconds - 5) * 1000;

/**
 * nginx sized for a t3.small (2 vCPUs, 2 GiB): 1 worker x 8,192 connections hold a few thousand
 * slow clients and the normal traffic beside them, in ~130 MB at worst (files/nginx.conf). One
 * client address gets 32 concurrent requests: far above a browser's 6 per host, far below what
 * exhausts a host.
 */
export const nginxLimits = { workerConnections: 8192, workerRlimitNofile: 16384, connectionsPerClient: 32 };

export function renderNginxMainConfig(paths: HostPaths): string {
    return renderFile("nginx.conf", {
        pidFile: paths.nginxPidFile,
        errorLog: paths.nginxErrorLog,
        sitesInclude: `${path.posix.dirname(paths.nginxSite)}/*`,
        workerConnections: String(nginxLimits.workerConnections),
        workerRlimitNofile: String(nginxLimits.workerRlimitNofile),
    });
}

export function renderNginxLogrotate(paths: HostPaths): string {
    return renderFile("nginx-logrotate.conf", {
        logDir: path.posix.dirname(paths.nginxAccessLog),
        pidFile: paths.nginxPidFile,
        maxSizeMb: String(hostLogRotation.maxSizeMb),
        maxFiles: String(hostLogRotation.maxFiles),
    });
}

/** nginx's access log buffer: a line reaches the file at most `flushSeconds` after its request. */
export const accessLogBuffer = { sizeKb: 64, flushSeconds: 1 };

export function renderNginxSite(host: HostPorts, options: HostConfigOptions, paths: HostPaths, app: Pick<AppContract, "healthPath" | "maxRequestBodyKb">): string {
    return renderFile("nginx-site.conf", {
        appHealthPath: app.healthPath,
        livePort: String(host.livePort),
        upstreamMaxSeconds: String(upstreamKeepalive.maxSeconds),
        upstreamIdleSeconds: String(upstreamKeepalive.idleSeconds),
        listen: options.listen,
        trustedProxyCidr: options.trustedProxyCidr,
        drainFlag: paths.drainFlag,
        closeFlag: paths.nginxCloseFlag,
        maxRequestBodyKb: String(app.maxRequestBodyKb),
        accessLog: paths.nginxAccessLog,
        accessLogBufferKb: String(accessLogBuffer.sizeKb),
        accessLogFlushSeconds: String(accessLogBuffer.flushSeconds),
        instanceHeader: paths.nginxInstanceHeader,
        connectionsPerClient: String(nginxLimits.connectionsPerClient),
        healthCheckUserAgent: healthCheck.userAgentPrefix,
    });
}

/**
 * The compose service's `logging:` value, as a JSON flow mapping (valid YAML, quoting done by JSON).
 * awslogs (https://docs.docker.com/engine/logging/drivers/awslogs/):
 * - `mode: non-blocking` with a bounded buffer: when CloudWatch is slow or unreachable the app keeps
 *   serving and, past the buffer, log lines are dropped (the default, blocking, would stall its writes);
 * - `tag: {{.Name}}`: one stream per container, named like `host-a-blue_app_1` (host and colour);
 * - no `awslogs-create-group`: the group exists (Pulumi), so the hosts need no logs:CreateLogGroup.
 * Docker keeps a local copy for `docker logs` (dual logging, Docker 20.10+), so ha-web-deploy still
 * prints a failed release's last lines.
 */
export function composeLogging(logging: ContainerLogging): string {
    const options: Record<string, string> = logging.driver === "json-file"
        ? { "max-size": `${logging.maxSizeMb}m`, "max-file": String(logging.maxFiles) }
        : {
            "awslogs-region": logging.region,
            "awslogs-group": logging.group,
            tag: "{{.Name}}",
            mode: "non-blocking",
            "max-buffer-size": "4m",
        };
    return JSON.stringify({ driver: logging.driver, options });
}

/** What the host files need to know of the app: its readiness path, the names in its env files and of its secrets, its limits. */
export interface AppContract {
    healthPath: string;
    envNames: string[];
    /** Each is a file in paths.secretsDir, mounted at appSecretFile(name); `<NAME>_FILE` in envNames says where. */
    secretNames: string[];
    limits: ContainerLimits;
    /** nginx's client_max_body_size for the app's requests (appMaxRequestBodyKb). */
    maxRequestBodyKb: number;
}

/** Where the app reads a secret: a read-only file of its own, never an environment variable (docker inspect, /proc/<pid>/environ). */
export function appSecretFile(name: string): string {
    return `/run/secrets/${name}`;
}

/** Where a host's secrets folder is on the machine of the local stack (see HostConfigOptions.machineSecretsRoot). */
export function machineSecretsDir(root: string, host: string): string {
    return path.posix.join(root, host);
}

/** One read-only bind mount per secret file (a folder mount would need the root-only folder readable). */
function secretMounts(secretsDir: string, secretNames: string[]): string {
    return secretNames.map((name) => `      - ${JSON.stringify(`${secretsDir}/${name}:${appSecretFile(name)}:ro`)}`).join("\n");
}

/** EC2's instance metadata service (IMDS). */
export const ec2MetadataAddress = "169.254.169.254";

/** The host firewall rule (iptables OUTPUT) that keeps instance metadata from every process but root's. */
export function metadataGuardRule(address: string): string {
    return `-d ${address}/32 -m owner ! --uid-owner 0 -j REJECT`;
}

/** The variable apply-config writes to the database CA's env file (paths.dbTlsEnvFile). */
export const dbTlsEnvName = "DB_TLS_CA_BASE64";

/** The env files' variables, as `NAME:` entries (null: docker-compose takes the value from its own environment). */
function passedThrough(envNames: string[]): string {
    return [...envNames, dbTlsEnvName].map((name) => `      ${name}:`).join("\n");
}

export function renderComposeFile(host: Pick<HostPorts, "name">, options: HostConfigOptions, app: AppContract, paths: Pick<HostPaths, "secretsDir">): string {
    const secretsSource = options.machineSecretsRoot ? machineSecretsDir(options.machineSecretsRoot, host.name) : paths.secretsDir;
    return renderFile("docker-compose.yml", {
        logging: composeLogging(options.logging),
        passedThrough: passedThrough(app.envNames),
        sharedDataDir: options.sharedDataDir,
        resolvConfVolume: options.resolvConf ? `\n      - "${options.resolvConf}:/etc/resolv.conf:ro"` : "",
        stopGraceSeconds: String(appStopGraceSeconds),
        shutdownTimeoutMs: String(shutdownTimeoutMs),
        appUid: String(appUid),
        memoryMb: String(app.limits.memoryMb),
        pidsLimit: String(app.limits.pids),
        secretMounts: secretMounts(secretsSource, app.secretNames),
    });
}

export function renderDeployScript(host: HostPorts, paths: HostPaths, app: AppContract): string {
    return renderFile("deploy.sh", {
        hostname: host.name,
        healthPath: app.healthPath,
        bluePort: String(host.bluePort),
        greenPort: String(host.greenPort),
        composeFile: paths.composeFile,
        envFile: paths.envFile,
        secretsDir: paths.secretsDir,
        dbTlsEnvFile: paths.dbTlsEnvFile,
        nginxSite: paths.nginxSite,
        configsDir: paths.configsDir,
        stopGraceSeconds: String(appStopGraceSeconds),
        liveCommand: paths.liveCommand,
        settleSeconds: String(liveSwitchSettleSeconds()),
        releasesFile: paths.releasesFile,
        keepReleases: String(keptReleases),
        buildCacheHours: String(buildCacheHours),
        accessLog: paths.nginxAccessLog,
        canaryLogDir: paths.canaryLogDir,
        healthCheckUserAgent: healthCheck.userAgentPrefix,
    });
}

export function renderHostConfigFiles(host: HostPorts, options: HostConfigOptions, paths: HostPaths, app: AppContract): HostConfigFiles {
    return {
        nginxMainConfig: renderNginxMainConfig(paths),
        nginxSite: renderNginxSite(host, options, paths, app),
        composeFile: renderComposeFile(host, options, app, paths),
        deployScript: renderDeployScript(host, paths, app),
        liveScript: renderFile("live-port.sh", { livePort: String(host.livePort), chain: liveChain(host.name), liveRecord: paths.liveRecord }),
        liveUnit: renderFile("ha-web-live.service", { liveCommand: paths.liveCommand }),
        metadataGuardUnit: renderFile("ha-web-metadata-guard.service", { rule: metadataGuardRule(options.metadataAddress ?? ec2MetadataAddress) }),
        appNetworkScript: renderAppNetworkScript(options.appNetwork),
        appNetworkUnit: renderAppNetworkUnit(paths.appNetworkCommand),
        nginxLogrotate: renderNginxLogrotate(paths),
        logrotateHourly: renderFile("logrotate-hourly.conf", {}),
        drainScript: renderFile("drain.sh", {
            drainFlag: paths.drainFlag,
            detectionSeconds: String(detectionWindowSeconds()),
        }),
        undrainScript: renderFile("undrain.sh", { drainFlag: paths.drainFlag }),
        ...renderDiskUseFiles(options.metrics, paths),
    };
}

/**
 * The disk-use command and its timer. The local stack's hosts sign their requests to the stand-in
 * with fixed stand-in credentials: the AWS CLI then never asks for an instance profile, whose
 * metadata address the local stack must not reach.
 */
export function renderDiskUseFiles(metrics: MetricsDestination, paths: HostPaths): Pick<HostConfigFiles, "diskUseScript" | "diskUseUnit" | "diskUseTimer"> {
    const periodSeconds = String(metrics.timing.periodSeconds);
    const standInEnvironment = ["AWS_ACCESS_KEY_ID=local-stand-in", "AWS_SECRET_ACCESS_KEY=local-stand-in", "AWS_EC2_METADATA_DISABLED=true"];
    return {
        diskUseScript: renderFile("disk-use.sh", {
            namespace: metrics.namespace,
            metricName: diskUseMetric.name,
            region: metrics.region,
            periodSeconds,
            standInUrl: metrics.standInUrl ?? "",
            cloudInstanceIdFile: paths.cloudInstanceIdFile,
        }),
        diskUseUnit: renderFile("ha-web-disk-use.service", {
            environment: metrics.standInUrl ? standInEnvironment.map((line) => `Environment=${line}`).join("\n") : "",
            diskUseCommand: paths.diskUseCommand,
        }),
        diskUseTimer: renderFile("ha-web-disk-use.timer", { periodSeconds }),
    };
}
