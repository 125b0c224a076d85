/**
 * Where ha-web puts things on a host. The same on AWS and in the local stack's host containers;
 * tests pass other paths so they can render files that run outside a host.
 */
export interface HostPaths {
    /** Root-only folder for the env file and the compose file. */
    etcDir: string;
    /** The app's database settings and its settings (mode 0600); its secrets are files in secretsDir. */
    envFile: string;
    /**
     * One file per secret of the app (its database password, each appSecrets entry), mode 0444 in
     * this root-only folder (bootstrap): each is bind-mounted read-only into the app, nothing else reads it.
     */
    secretsDir: string;
    /** The database server's CA bundle, fetched by apply-config. */
    dbCaFile: string;
    /** The same bundle as an env file for the app (DB_TLS_CA_BASE64), root-only. */
    dbTlsEnvFile: string;
    composeFile: string;
    /**
     * While this file exists nginx fails the load balancer's health check (ha-web-drain). Not under
     * etcDir: nginx's workers (www-data) must be able to see it, and etcDir is root-only.
     */
    drainFlag: string;
    /**
     * While this file exists nginx closes each client connection after its response (apply-config,
     * around a reload: plan/nginxReload.ts). Under /run: a flag a cut-off run left goes at reboot.
     */
    nginxCloseFlag: string;
    nginxSite: string;
    /** nginx's main configuration (ha-web's sizing; includes the folder nginxSite is in). */
    nginxMainConfig: string;
    nginxPidFile: string;
    /** The site's JSON access log (mode 0640, group adm, as Debian's logrotate re-creates it). */
    nginxAccessLog: string;
    nginxErrorLog: string;
    /** nginx's log rotation (replaces Debian's) and the drop-in that makes logrotate run hourly. */
    nginxLogrotate: string;
    logrotateHourly: string;
    deployCommand: string;
    /** `ha-web-live`: where the live port leads (deploys move it); `liveRecord` keeps it across reboots. */
    liveCommand: string;
    liveRecord: string;
    /** systemd unit that restores the live port's redirect at boot, before nginx. */
    liveUnit: string;
    /** systemd unit that refuses instance metadata to every non-root process, at boot, before Docker. */
    metadataGuardUnit: string;
    /** `ha-web-app-network` and the unit that runs it at boot, before Docker: what the app may reach. */
    appNetworkCommand: string;
    appNetworkUnit: string;
    drainCommand: string;
    undrainCommand: string;
    /** `ha-web-disk-use` and the timer that runs it: disk use to CloudWatch (plan/diskUse.ts). */
    diskUseCommand: string;
    diskUseUnit: string;
    diskUseTimer: string;
    /**
     * Where the host-config file set places nginx's main config and the site: apply-config puts them
     * live only once `nginx -t` accepts them, so a rejected config never replaces a working one.
     */
    nginxStagedMainConfig: string;
    nginxStagedSite: string;
    /** The sha256 of the live nginx config nginx last loaded (apply-config). */
    nginxApplied: string;
    /** The images ha-web-deploy deployed on this host, newest last (the prune keeps them). */
    releasesFile: string;
    /** nginx's X-Served-By-Instance header, written by apply-config from the machine's identity. */
    nginxInstanceHeader: string;
    /** The EC2 instance id, as cloud-init writes it at an instance's first boot. */
    cloudInstanceIdFile: string;
    /** Where each step's script is placed (step-scripts file set), run by `stepRunner`. */
    stepsDir: string;
    /** `ha-web-step NAME`: runs a step script, logging to `stepLogDir`. */
    stepRunner: string;
    stepLogDir: string;
    /** Where the app-sources file set puts app/ for build-image. */
    appDir: string;
    /** The EFS mount point. */
    sharedMount: string;
    /** Where the app's data access point is mounted (the compose file binds it into the app). */
    appDataMount: string;
    /** What mount-shared mounted last (its fstab lines): a re-run that finds the same mounted does nothing. */
    sharedMountRecord: string;
    /** The canary's verdicts, each with the access log lines it judged (files/lib/canary-watch.sh). */
    canaryLogDir: string;
    /**
     * Git history of this host's deploys, and the lock that serialises them. On the host's own disk,
     * root-only: root runs git there and opens the lock, so nothing another process (the app, another
     * host's root through EFS) can write may be in it (a planted hook, core.fsmonitor, a symlink).
     */
    configsDir: string;
    /** A copy of each host's operator commands, readable from any host. */
    sharedScriptsDir: string;
}

export const hostPaths: HostPaths = {
    etcDir: "/etc/ha-web",
    envFile: "/etc/ha-web/app.env",
    secretsDir: "/etc/ha-web/secrets",
    dbCaFile: "/etc/ha-web/db-ca.pem",
    dbTlsEnvFile: "/etc/ha-web/db-tls.env",
    composeFile: "/etc/ha-web/docker-compose.yml",
    drainFlag: "/var/lib/ha-web/drained",
    nginxCloseFlag: "/run/ha-web-nginx-closing",
    nginxSite: "/etc/nginx/sites-enabled/ha-web.conf",
    nginxMainConfig: "/etc/nginx/nginx.conf",
    nginxPidFile: "/run/nginx.pid",
    nginxAccessLog: "/var/log/nginx/ha-web.access.log",
    nginxErrorLog: "/var/log/nginx/error.log",
    nginxLogrotate: "/etc/logrotate.d/nginx",
    logrotateHourly: "/etc/systemd/system/logrotate.timer.d/ha-web-hourly.conf",
    deployCommand: "/usr/local/sbin/ha-web-deploy",
    liveCommand: "/usr/local/sbin/ha-web-live",
    liveRecord: "/var/lib/ha-web/live-port",
    liveUnit: "/etc/systemd/system/ha-web-live.service",
    metadataGuardUnit: "/etc/systemd/system/ha-web-metadata-guard.service",
    appNetworkCommand: "/usr/local/sbin/ha-web-app-network",
    appNetworkUnit: "/etc/systemd/system/ha-web-app-network.service",
    drainCommand: "/usr/local/sbin/ha-web-drain",
    undrainCommand: "/usr/local/sbin/ha-web-undrain",
    diskUseCommand: "/usr/local/sbin/ha-web-disk-use",
    diskUseUnit: "/etc/systemd/system/ha-web-disk-use.service",
    diskUseTimer: "/etc/systemd/system/ha-web-disk-use.timer",
    nginxStagedMainConfig: "/etc/ha-web/nginx/nginx.conf",
    nginxStagedSite: "/etc/ha-web/nginx/ha-web.conf",
    nginxApplied: "/var/lib/ha-web/nginx.applied",
    nginxInstanceHeader: "/etc/nginx/ha-web-instance.conf",
    releasesFile: "/var/lib/ha-web/deployed-images",
    cloudInstanceIdFile: "/var/lib/cloud/data/instance-id",
    stepsDir: "/usr/local/lib/ha-web/steps",
    stepRunner: "/usr/local/sbin/ha-web-step",
    stepLogDir: "/var/log/ha-web/steps",
    canaryLogDir: "/var/log/ha-web/canary",
    appDir: "/opt/ha-web/app",
    sharedMount: "/shared",
    appDataMount: "/srv/ha-web/data",
    sharedMountRecord: "/var/lib/ha-web/shared-mount",
    configsDir: "/var/lib/ha-web/history",
    sharedScriptsDir: "/shared/scripts",
};
