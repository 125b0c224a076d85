import * as path from "path";

/**
 * Where every piece of the local stack lives on this machine. Everything listens on 127.0.0.1
 * (containers share the host network), so the drills never send traffic anywhere else.
 */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** Gitignored working state: secrets (0600), the load balancer config, drill results. */
export const stateDir = path.join(repoRoot, ".local-stack");

/** Drill and bench results: they survive `down`. */
export const resultsDirName = "results";
export const resultsDir = path.join(stateDir, resultsDirName);

/** The stand-in for EFS: one directory bind-mounted at /shared into every host and app container. */
export const sharedDir = path.join(stateDir, "shared");

/** The hosts themselves (how many, their names and ports) follow local.settings.json: stackHosts.ts. */

export const loadBalancer = {
    container: "ha-web-lb",
    image: "ha-web/local-lb:latest",
    url: "http://127.0.0.1:8080",
    port: 8080,
    /** haproxy's CSV stats, read by `status` and by drain/undrain to wait for rotation changes. */
    statsPort: 8404,
};

export const database = {
    container: "ha-web-db",
    image: "ha-web/local-db:latest",
    volume: "ha-web-db-data",
    /** A name, as the RDS endpoint is: clients verify the certificate names it (it listens on 127.0.0.1). */
    host: "localhost",
    /** Not 3306: a MariaDB the developer runs on this machine keeps its port. */
    port: 3307,
    adminUser: "admin",
    name: "app",
    user: "app",
};

export function hostContainer(host: string): string {
    return `ha-web-${host}`;
}

/** Compose projects a host's deploy.sh starts on this machine's daemon (siblings of the host container). */
export function appProjects(host: string): string[] {
    return [`${host}-blue`, `${host}-green`];
}
