import * as path from "path";
import { appStopGraceSeconds, detectionWindowSeconds, healthCheck } from "./healthCheck";
import { HostLayout } from "./hostLayout";
import { liveChain, liveSwitchSettleSeconds, upstreamKeepalive } from "./liveSwitch";
import { HostPaths } from "./hostPaths";
import { renderFile } from "./render";

/** The configuration files of a host (its host-config file set), rendered from `files/`. */
export interface HostConfigFiles {
    nginxMainConfig: string;
    nginxSite: string;
    composeFile: string;
    deployScript: string;
    liveScript: string;
    liveUnit: string;
    nginxLogrotate: string;
    logrotateHourly: string;
    drainScript: string;
    undrainScript: string;
}

export interface HostFileOptions {
    /** nginx `listen` value: "80" on AWS, "127.0.0.1:8081" locally. */
    listen: string;
    /** The load balancer's addresses, trusted for X-Forwarded-For. */
    trustedProxyCidr: string;
    /** Host-side folder bind-mounted into the app as its SHARED_DIR. */
    sharedDataDir: string;
}

/** The app drains for a little less than compose waits before SIGKILL, so a drain always finishes. */
const shutdownTimeoutMs = (appStopGraceSeconds - 5) * 1000;

/**
 * nginx sized for a t3.small (2 vCPUs, 2 GiB): 2 workers x 4,096 connections hold a few thousand
 * slow clients and the normal traffic beside them, in ~130 MB at worst (files/nginx.conf). One
 * client address gets 32 concurrent requests: far above a browser's 6 per host, far below what
 * exhausts a host.
 */
export const nginxLimits = { workerConnections: 4096, workerRlimitNofile: 8192, connectionsPerClient: 32 };

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
    return renderFile("nginx-logrotate.conf", { logDir: path.posix.dirname(paths.nginxAccessLog), pidFile: paths.nginxPidFile });
}

export function renderNginxSite(host: HostLayout, options: HostFileOptions, paths: HostPaths): string {
    return renderFile("nginx-site.conf", {
        livePort: String(host.livePort),
        upstreamMaxSeconds: String(upstreamKeepalive.maxSeconds),
        upstreamIdleSeconds: String(upstreamKeepalive.idleSeconds),
        listen: options.listen,
        trustedProxyCidr: options.trustedProxyCidr,
        drainFlag: paths.drainFlag,
        accessLog: paths.nginxAccessLog,
        connectionsPerClient: String(nginxLimits.connectionsPerClient),
        healthCheckUserAgent: healthCheck.userAgentPrefix,
    });
}

export function renderComposeFile(options: HostFileOptions, paths: HostPaths): string {
    return renderFile("docker-compose.yml", {
        envFile: paths.envFile,
        dbTlsEnvFile: paths.dbTlsEnvFile,
        sharedDataDir: options.sharedDataDir,
        stopGraceSeconds: String(appStopGraceSeconds),
        shutdownTimeoutMs: String(shutdownTimeoutMs),
    });
}

export function renderDeployScript(host: HostLayout, paths: HostPaths): string {
    return renderFile("deploy.sh", {
        hostname: host.name,
        bluePort: String(host.bluePort),
        greenPort: String(host.greenPort),
        composeFile: paths.composeFile,
        envFile: paths.envFile,
        dbTlsEnvFile: paths.dbTlsEnvFile,
        nginxSite: paths.nginxSite,
        configsDir: paths.configsDir,
        stopGraceSeconds: String(appStopGraceSeconds),
        liveCommand: paths.liveCommand,
        settleSeconds: String(liveSwitchSettleSeconds()),
    });
}

export function renderHostFiles(host: HostLayout, options: HostFileOptions, paths: HostPaths): HostConfigFiles {
    return {
        nginxMainConfig: renderNginxMainConfig(paths),
        nginxSite: renderNginxSite(host, options, paths),
        composeFile: renderComposeFile(options, paths),
        deployScript: renderDeployScript(host, paths),
        liveScript: renderFile("live-port.sh", { livePort: String(host.livePort), chain: liveChain(host.name), liveRecord: paths.liveRecord }),
        liveUnit: renderFile("ha-web-live.service", { liveCommand: paths.liveCommand }),
        nginxLogrotate: renderNginxLogrotate(paths),
        logrotateHourly: renderFile("logrotate-hourly.conf", {}),
        drainScript: renderFile("drain.sh", {
            drainFlag: paths.drainFlag,
            detectionSeconds: String(detectionWindowSeconds()),
        }),
        undrainScript: renderFile("undrain.sh", { drainFlag: paths.drainFlag }),
    };
}
