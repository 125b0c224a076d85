/**
 * Where ha-web puts things on a host. The same on AWS and in the local stack's host containers;
 * tests pass other paths so they can render files that run outside a host.
 */
export interface HostPaths {
    /** Root-only folder for the env file and the compose file. */
    etcDir: string;
    /** The app's database settings and password (mode 0600). */
    envFile: string;
    /** The database server's CA bundle, fetched by write-config when the database requires TLS. */
    dbCaFile: string;
    composeFile: string;
    /**
     * While this file exists nginx fails the load balancer's health check (ha-web-drain). Not under
     * etcDir: nginx's workers (www-data) must be able to see it, and etcDir is root-only.
     */
    drainFlag: string;
    nginxSite: string;
    /** nginx's main configuration (ha-web's sizing; includes the folder nginxSite is in). */
    nginxMainConfig: string;
    nginxPidFile: string;
    /** The site's JSON access log (mode 0640, group adm, as Debian's logrotate re-creates it). */
    nginxAccessLog: string;
    nginxErrorLog: string;
    deployCommand: string;
    drainCommand: string;
    undrainCommand: string;
    /** The image the last build-image step built or pulled: the tool create-app-db runs comes from it. */
    currentImageFile: string;
    /** Where upload-app puts app/ for build-image. */
    appDir: string;
    /** The EFS mount point. */
    sharedMount: string;
    /** Git history of every deploy (all hosts). */
    configsDir: string;
    /** A copy of each host's operator commands, readable from any host. */
    sharedScriptsDir: string;
}

export const hostPaths: HostPaths = {
    etcDir: "/etc/ha-web",
    envFile: "/etc/ha-web/app.env",
    dbCaFile: "/etc/ha-web/db-ca.pem",
    composeFile: "/etc/ha-web/docker-compose.yml",
    drainFlag: "/var/lib/ha-web/drained",
    nginxSite: "/etc/nginx/sites-enabled/ha-web.conf",
    nginxMainConfig: "/etc/nginx/nginx.conf",
    nginxPidFile: "/run/nginx.pid",
    nginxAccessLog: "/var/log/nginx/ha-web.access.log",
    nginxErrorLog: "/var/log/nginx/error.log",
    deployCommand: "/usr/local/sbin/ha-web-deploy",
    drainCommand: "/usr/local/sbin/ha-web-drain",
    undrainCommand: "/usr/local/sbin/ha-web-undrain",
    currentImageFile: "/var/lib/ha-web/app-image",
    appDir: "/opt/ha-web/app",
    sharedMount: "/shared",
    configsDir: "/shared/configs",
    sharedScriptsDir: "/shared/scripts",
};
