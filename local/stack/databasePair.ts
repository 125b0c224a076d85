import { ensureContainer, EnsureOutcome, isRunning, removeContainer, waitFor } from "./containers";
import { docker, dockerOk, run } from "../run";
import { secret, secretFile } from "./secrets";
import { database, DatabaseServer, databaseServers } from "./stackLayout";

/**
 * The two servers of the Multi-AZ stand-in and what the stack does to them: start one, ask it SQL
 * (as root over its socket, so a cut of its packets never stops the stack from managing it), make it
 * the primary, make it a standby copied from the primary. Each server keeps its role in its data
 * directory (start-database.sh), so the roles are read from the servers themselves, never from a file
 * of ours that could go stale.
 */
export const adminPasswordSecret = "db-admin-password";
/** The standby's login to the primary: REPLICATION SLAVE only. */
const replicationPasswordSecret = "db-replication-password";
const replicationUser = "replication";
/** Where a server finds the TLS files (start-database.sh copies them there for mariadbd). */
const serverCa = "/run/mysqld/tls/ca.pem";
const roleFile = "/var/lib/mysql/ha-web-role";

export type Role = "primary" | "standby";

/** Starts a server (creating its data volume if missing); waits until it answers on its socket. */
export async function ensureServer(server: DatabaseServer, tlsDir: string): Promise<EnsureOutcome> {
    if (!(await dockerOk(["volume", "inspect", server.volume]))) await docker(["volume", "create", server.volume]);
    const outcome = await ensureContainer({
        name: server.container,
        image: database.image,
        runArgs: [
            "--network", "host",
            "--env", `DB_ADDRESS=${server.address}`,
            "--env", `DB_PORT=${database.port}`,
            "--env", `DB_REPLICATION_PORT=${database.replicationPort}`,
            "--env", `DB_SERVER_ID=${server.serverId}`,
            "--env", `DB_ADMIN_USER=${database.adminUser}`,
            "-v", `${server.volume}:/var/lib/mysql`,
            "-v", `${secretFile(adminPasswordSecret)}:/run/secrets/${adminPasswordSecret}:ro`,
            "-v", `${tlsDir}:/run/secrets/db-tls:ro`,
        ],
    });
    await waitUntilAnswers(server);
    return outcome;
}

export async function waitUntilAnswers(server: DatabaseServer): Promise<void> {
    await waitFor(`${server.name} to accept connections`, 60, async () =>
        (await isRunning(server.container)) &&
        dockerOk(["exec", server.container, "mariadb-admin", "--protocol=socket", "ping"]));
}

/** Runs SQL on a server as root over its socket; returns the rows, tab-separated, without headers. */
export async function serverSql(server: DatabaseServer, sql: string): Promise<string> {
    const result = await run("/usr/bin/docker", ["exec", "-i", server.container, "mariadb", "--protocol=socket", "-N", "-B"], { input: sql });
    if (result.code !== 0) throw new Error(`${server.name}: SQL failed: ${result.stderr.trim()}`);
    return result.stdout;
}

/** Global status variables by name (SHOW GLOBAL STATUS LIKE ...). */
export async function serverStatus(server: DatabaseServer, like: string): Promise<Map<string, string>> {
    const rows = await serverSql(server, `SHOW GLOBAL STATUS LIKE '${like}';`);
    return new Map(rows.split("\n").filter((l) => l).map((l) => l.split("\t") as [string, string]));
}

/** The server's role, or undefined when its container is not running. */
export async function roleOf(server: DatabaseServer): Promise<Role | undefined> {
    if (!(await isRunning(server.container))) return undefined;
    const readOnly = (await serverSql(server, "SELECT @@read_only;")).trim();
    return readOnly === "0" ? "primary" : "standby";
}

/** The primary: exactly one server must be one; anything else is a half-done failover, named. */
export async function currentPrimary(): Promise<DatabaseServer> {
    const roles = await Promise.all(databaseServers.map(async (s) => ({ server: s, role: await roleOf(s) })));
    const primaries = roles.filter((r) => r.role === "primary");
    if (primaries.length !== 1) {
        throw new Error(`the database stand-in has ${primaries.length} primaries (${roles.map((r) => `${r.server.name}: ${r.role ?? "not running"}`).join(", ")}); ` +
            "run `npm run local:down` and `npm run local:up` to start it afresh");
    }
    return primaries[0].server;
}

/**
 * The primary's own address, for this machine's checks: the endpoint's name resolves only through
 * the stack's name server (the hosts' resolver); the certificate names both addresses too.
 */
export async function primaryAddress(): Promise<string> {
    return (await currentPrimary()).address;
}

export function otherServer(server: DatabaseServer): DatabaseServer {
    return databaseServers.find((s) => s !== server)!;
}

/**
 * Makes `server` the primary: the relay log it already received applied first (every commit the old
 * primary acknowledged is in it: semi-synchronous, AFTER_SYNC), then replication stopped and forgotten,
 * writes allowed and the semi-synchronous wait turned on. The role is written so a restart keeps it.
 */
export async function promote(server: DatabaseServer): Promise<void> {
    const replica = await replicaStatus(server);
    if (replica) {
        await serverSql(server, "STOP SLAVE IO_THREAD;");
        const received = (await replicaStatus(server))?.get("Gtid_IO_Pos") ?? "";
        const waited = (await serverSql(server, `SELECT MASTER_GTID_WAIT('${received}', 60);`)).trim();
        if (waited !== "0") throw new Error(`${server.name}: the relay log (up to ${received}) was not applied within 60 s; not promoted`);
        await serverSql(server, "STOP SLAVE; RESET SLAVE ALL;");
    }
    // The standby's login, on the first primary (later ones have it from the copy), written before the
    // semi-synchronous wait is on: with no standby yet, that wait would hold this very statement.
    const password = secret(replicationPasswordSecret);
    await serverSql(server, `SET sql_log_bin = 0;\nCREATE USER IF NOT EXISTS '${replicationUser}'@'%' IDENTIFIED BY '${password}';\n` +
        `GRANT REPLICATION SLAVE ON *.* TO '${replicationUser}'@'%';`);
    await serverSql(server, [
        "SET GLOBAL rpl_semi_sync_slave_enabled = OFF;",
        "SET GLOBAL rpl_semi_sync_master_enabled = ON;",
        "SET GLOBAL read_only = OFF;",
    ].join("\n"));
    await writeRole(server, "primary");
}

/**
 * Makes `server` a standby of `primary` from nothing: its data volume replaced by a copy of the
 * primary's (mariadb-dump, consistent, with the GTID position it was taken at), then replication from
 * that position over verified TLS. RDS rebuilds a failed primary the same way: from the new one.
 * Waits until the primary counts it as its semi-synchronous standby.
 */
export async function rebuildAsStandby(server: DatabaseServer, primary: DatabaseServer, tlsDir: string): Promise<void> {
    await removeContainer(server.container);
    if (await dockerOk(["volume", "inspect", server.volume])) await docker(["volume", "rm", server.volume]);
    await ensureServer(server, tlsDir);
    // Applied without binlogging: the copy is the primary's history, not new transactions of this server.
    const copy = await run("bash", ["-c",
        "set -o pipefail; { echo 'SET sql_log_bin = 0;'; /usr/bin/docker exec \"$1\" mariadb-dump --protocol=socket --all-databases " +
        "--single-transaction --gtid --master-data=1 --ignore-table=mysql.gtid_slave_pos --flush-privileges --routines --events; } | /usr/bin/docker exec -i \"$2\" mariadb --protocol=socket",
        "copy", primary.container, server.container]);
    if (copy.code !== 0) throw new Error(`copying ${primary.name} to ${server.name} failed: ${copy.stderr.trim()}`);
    const password = secret(replicationPasswordSecret);
    await serverSql(server, [
        "STOP SLAVE;",
        `CHANGE MASTER TO MASTER_HOST = '${primary.address}', MASTER_PORT = ${database.replicationPort}, MASTER_USER = '${replicationUser}', ` +
        `MASTER_PASSWORD = '${password}', MASTER_USE_GTID = slave_pos, MASTER_SSL = 1, MASTER_SSL_CA = '${serverCa}', ` +
        "MASTER_SSL_VERIFY_SERVER_CERT = 1, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 1;",
        "SET GLOBAL rpl_semi_sync_slave_enabled = ON;",
        "SET GLOBAL read_only = ON;",
        "START SLAVE;",
    ].join("\n"));
    await writeRole(server, "standby");
    await waitFor(`${primary.name} to count ${server.name} as its semi-synchronous standby`, 30, async () => {
        const status = await serverStatus(primary, "Rpl_semi_sync_master_%");
        return status.get("Rpl_semi_sync_master_clients") === "1" && status.get("Rpl_semi_sync_master_status") === "ON";
    });
}

/** SHOW SLAVE STATUS as name -> value, or undefined when the server replicates from nobody. */
export async function replicaStatus(server: DatabaseServer): Promise<Map<string, string> | undefined> {
    const result = await run("/usr/bin/docker", ["exec", "-i", server.container, "mariadb", "--protocol=socket", "-E"], { input: "SHOW SLAVE STATUS;" });
    if (result.code !== 0) throw new Error(`${server.name}: SHOW SLAVE STATUS failed: ${result.stderr.trim()}`);
    const fields = [...result.stdout.matchAll(/^\s*(\w+): ?(.*)$/gm)].map((m) => [m[1], m[2]] as [string, string]);
    return fields.length > 0 ? new Map(fields) : undefined;
}

/** Semi-synchronous replication as the primary reports it: on, with the standby, and commits that went without it. */
export interface SemiSyncState {
    on: boolean;
    standbys: number;
    /** Commits acknowledged without the standby's receipt: any is a fallback to asynchronous replication. */
    commitsWithoutStandby: number;
    commitsWithStandby: number;
}

export async function semiSyncState(primary: DatabaseServer): Promise<SemiSyncState> {
    const status = await serverStatus(primary, "Rpl_semi_sync_master_%");
    return {
        on: status.get("Rpl_semi_sync_master_status") === "ON",
        standbys: Number(status.get("Rpl_semi_sync_master_clients") ?? 0),
        commitsWithoutStandby: Number(status.get("Rpl_semi_sync_master_no_tx") ?? 0),
        commitsWithStandby: Number(status.get("Rpl_semi_sync_master_yes_tx") ?? 0),
    };
}

async function writeRole(server: DatabaseServer, role: Role): Promise<void> {
    await docker(["exec", server.container, "sh", "-c", `echo ${role} > ${roleFile}.new && mv ${roleFile}.new ${roleFile}`]);
}
