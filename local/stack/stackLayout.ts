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

/**
 * The stand-in for an RDS Multi-AZ instance: two MariaDB servers, each in the "zone" of one host (its
 * own loopback address), one primary and one standby, and the endpoint: a name the stack's name
 * server answers with the primary's address, as Route 53 answers for the RDS endpoint.
 */
export const database = {
    image: "ha-web/local-db:latest",
    /** The endpoint the hosts dial; clients verify the certificate names it. */
    host: "db.ha-web.internal",
    /** Not 3306: a MariaDB the developer runs on this machine keeps its port. */
    port: 3307,
    /**
     * The standby replicates through each server's second port (MariaDB's extra_port), so cutting the
     * hosts off the database (cut-database: port 3307) leaves the link between the servers alone, as a
     * network fault between the hosts and RDS leaves RDS's own replication alone.
     */
    replicationPort: 3308,
    adminUser: "admin",
    name: "app",
    user: "app",
};

export interface DatabaseServer {
    /** Also the fault target of its cut, and the zone's letter ("db-a": host-a's zone). */
    name: string;
    container: string;
    volume: string;
    /** Its own loopback address (every 127.0.0.0/8 address is this machine's), so a name can point at it. */
    address: string;
    /** MariaDB's server_id: each server of a replication pair has its own. */
    serverId: number;
}

export const databaseServers: DatabaseServer[] = ["a", "b"].map((zone, index) => ({
    name: `db-${zone}`,
    container: `ha-web-db-${zone}`,
    volume: `ha-web-db-${zone}-data`,
    address: `127.0.1.${index + 1}`,
    serverId: index + 1,
}));

/** The block that holds every database server's address. */
export const databaseServersCidr = "127.0.1.0/24";

/** The name server (dnsmasq) that serves the endpoint's name, with RDS's 5 s TTL. */
export const databaseDns = {
    container: "ha-web-dns",
    image: "ha-web/local-dns:latest",
    /** Port 53, as a resolv.conf can name no other; an address of its own on loopback. */
    address: "127.0.53.1",
    ttlSeconds: 5,
    /** Mounted into the name server (the endpoint's record) and into the hosts and app containers (resolv.conf). */
    dir: path.join(stateDir, "dns"),
};

export function hostContainer(host: string): string {
    return `ha-web-${host}`;
}

/** Compose projects a host's deploy.sh starts on this machine's daemon (siblings of the host container). */
export function appProjects(host: string): string[] {
    return [`${host}-blue`, `${host}-green`];
}
