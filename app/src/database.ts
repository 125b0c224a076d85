import * as mysql from "mysql2/promise";
import { DatabaseConfig } from "./config";
import { verifiedTls } from "./dbTls";

/** How a connection reaches the database: the app's account, over verified TLS when a CA is configured. */
export function connectionOptions(config: DatabaseConfig, connectTimeoutMs: number): mysql.ConnectionOptions {
    return {
        host: config.host,
        port: config.port,
        user: config.user,
        password: config.password,
        database: config.name,
        connectTimeout: connectTimeoutMs,
        ssl: config.tlsCa ? verifiedTls(config.tlsCa) : undefined,
    };
}

export interface PoolLimits {
    /** Most connections open at once; more requests wait for one (up to `queueLimit`). */
    connections: number;
    /** Requests that may wait for a connection; beyond that a query fails at once. */
    queueLimit: number;
    /** Bound on connecting and, separately, on one query. */
    timeoutMs: number;
    /** Bound on the whole call: waiting for a connection, connecting and the query. */
    deadlineMs: number;
}

/** A pool whose every call ends within a known time and whose failures never outlive the call. */
export interface Database {
    query<T extends mysql.QueryResult>(sql: string, values?: unknown[]): Promise<T>;
    close(): Promise<void>;
}

/** The code of the error a call gets when it is still waiting at its deadline. */
const deadlineCode = "DATABASE_DEADLINE";

/**
 * Opens a pool in which a hung or restarted database cannot wedge a connection:
 * - a connection whose query failed or timed out is destroyed, never returned: mysql2's query
 *   timeout only stops waiting, it leaves the statement running on that connection, and the next
 *   query there would queue behind it with no timer running (mysql2 3.24 lib/commands/query.js
 *   `_handleTimeoutError` answers the caller and keeps the command);
 * - no reset on release (`resetOnRelease: false`): COM_RESET_CONNECTION has no timeout, so on a
 *   hung database it would hold the connection, counted against the limit, forever; our queries leave
 *   no session state to reset;
 * - after any failure, connections that sat idle through it are dropped when next taken, not used:
 *   a failover to another machine or a network partition strands open connections without closing
 *   them, and each would cost one request a timeout after the database is back;
 * - every call races a deadline, which also covers the time spent queued for a connection.
 * Connections the database closes are dropped by mysql2 on their 'error'/'end' event
 * (lib/pool_connection.js). So once the database is back, new connections are made: no restart.
 */
export function openDatabase(config: DatabaseConfig, limits: PoolLimits): Database {
    const pool = mysql.createPool({
        ...connectionOptions(config, limits.timeoutMs),
        connectionLimit: limits.connections,
        maxIdle: limits.connections,
        idleTimeout: 30_000,
        queueLimit: limits.queueLimit,
        enableKeepAlive: true,
        resetOnRelease: false,
    });

    // How many connections have failed (to connect or in a query), and how many had when each
    // pooled connection last worked. A full queue is not a failure: under load it would make
    // every connection reconnect.
    let failures = 0;
    const failuresWhenLastUsed = new WeakMap<mysql.Connection, number>();

    const acquire = async (): Promise<mysql.PoolConnection> => {
        for (;;) {
            const connection = await pool.getConnection();
            const seen = failuresWhenLastUsed.get(connection.connection);
            // Never seen: made just now for this call.
            if (seen === undefined || seen === failures) return connection;
            connection.destroy();
        }
    };
    const run = async <T extends mysql.QueryResult>(sql: string, values: unknown[] | undefined): Promise<T> => {
        let connection: mysql.PoolConnection | undefined;
        try {
            connection = await acquire();
            const [result] = await connection.query<T>({ sql, values, timeout: limits.timeoutMs });
            failuresWhenLastUsed.set(connection.connection, failures);
            connection.release();
            return result;
        } catch (error) {
            // mysql2's own refusals (queue full, pool closed: lib/base/pool.js) carry no code; network and server errors do.
            if (connection || (error as { code?: string }).code !== undefined) failures += 1;
            connection?.destroy();
            throw error;
        }
    };

    return {
        async query<T extends mysql.QueryResult>(sql: string, values?: unknown[]): Promise<T> {
            let timer: NodeJS.Timeout | undefined;
            const deadline = new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(Object.assign(
                    new Error(`the database did not answer within ${limits.deadlineMs} ms`), { code: deadlineCode })), limits.deadlineMs);
            });
            try {
                // A call that loses the race still finishes (or times out) on its own and frees its connection.
                return await Promise.race([run<T>(sql, values), deadline]);
            } finally {
                clearTimeout(timer);
            }
        },
        close: () => pool.end(),
    };
}
