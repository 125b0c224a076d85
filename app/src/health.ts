import * as fs from "fs";
import { randomUUID } from "crypto";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { Config } from "./config";
import { describeTlsNameError, verifiedTls } from "./dbTls";
import { redact } from "./log";

export interface Check {
    ok: boolean;
    error?: string;
}

export interface HealthReport {
    status: "ok" | "fail";
    version: string;
    checks: { database: Check; shared: Check };
}

export interface Health {
    report(): Promise<HealthReport>;
    close(): Promise<void>;
}

/**
 * A rollout waits on /health, so every check is bounded: a hung database or a stuck NFS mount
 * must turn into a 503 within seconds, never into a request that hangs.
 */
const checkTimeoutMs = 2_000;

/** The checks that matter on a host: the database answers, and the shared (EFS) directory takes writes. */
export function createHealth(config: Config): Health {
    const pool = mysql.createPool({
        host: config.database.host,
        port: config.database.port,
        user: config.database.user,
        password: config.database.password,
        database: config.database.name,
        // Health checks only: a couple of connections, dropped when idle.
        connectionLimit: 2,
        maxIdle: 1,
        idleTimeout: 30_000,
        connectTimeout: checkTimeoutMs,
        enableKeepAlive: true,
        // Verified TLS (certificate chain and host name) when a CA is configured.
        ssl: config.database.tlsCa ? verifiedTls(config.database.tlsCa) : undefined,
    });
    // A fresh name per check: hosts share the directory, and containers on the host network share
    // a host name and can share a pid, so no name derived from those is unique.
    const probeFile = () => path.join(config.sharedDir, `.health-${randomUUID()}`);

    const database = (): Promise<Check> =>
        bounded("database", async () => {
            try {
                await pool.query({ sql: "SELECT 1", timeout: checkTimeoutMs });
            } catch (error) {
                const nameError = describeTlsNameError(error, config.database.host);
                throw nameError ? new Error(nameError) : error;
            }
        }, config.database.password);
    const shared = (): Promise<Check> =>
        bounded("shared", async () => {
            const file = probeFile();
            await fs.promises.writeFile(file, new Date().toISOString());
            await fs.promises.unlink(file);
        }, config.database.password);

    return {
        async report(): Promise<HealthReport> {
            const [databaseCheck, sharedCheck] = await Promise.all([database(), shared()]);
            return {
                status: databaseCheck.ok && sharedCheck.ok ? "ok" : "fail",
                version: config.version,
                checks: { database: databaseCheck, shared: sharedCheck },
            };
        },
        close: () => pool.end(),
    };
}

async function bounded(name: string, check: () => Promise<void>, secret: string): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} check timed out after ${checkTimeoutMs} ms`)), checkTimeoutMs);
    });
    try {
        await Promise.race([check(), timeout]);
        return { ok: true };
    } catch (error) {
        return { ok: false, error: redact(describe(error), secret) };
    } finally {
        clearTimeout(timer);
    }
}

function describe(error: unknown): string {
    const { code, message } = error as { code?: string; message?: string };
    const text = message || String(error);
    return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
