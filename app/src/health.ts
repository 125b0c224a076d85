import * as fs from "fs";
import { randomUUID } from "crypto";
import * as path from "path";
import { Config } from "./config";
import { openDatabase } from "./database";
import { describeTlsNameError } from "./dbTls";
import { describeError, redact } from "./log";

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
    // Its own pool, apart from the notes API's: a busy API must not make a host look unhealthy.
    // Health checks only: a couple of connections.
    const db = openDatabase(config.database, { connections: 2, queueLimit: 20, timeoutMs: checkTimeoutMs, deadlineMs: checkTimeoutMs });
    // A fresh name per check: hosts share the directory, and containers on the host network share
    // a host name and can share a pid, so no name derived from those is unique.
    const probeFile = () => path.join(config.sharedDir, `.health-${randomUUID()}`);

    const database = (): Promise<Check> =>
        bounded("database", async () => {
            try {
                await db.query("SELECT 1");
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
        close: () => db.close(),
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
        return { ok: false, error: redact(describeError(error), secret) };
    } finally {
        clearTimeout(timer);
    }
}
