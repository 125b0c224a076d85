import * as path from "path";
import * as mysql from "mysql2/promise";
import { run, RunResult } from "../../local/run";
import { MariaDb } from "./mariadb";

/** The compiled migration tool and the app's own migrations (`npm --prefix app run build`). */
export const migrateScript = path.join(__dirname, "..", "..", "app", "dist", "tools", "migrate.js");
export const appMigrations = path.join(__dirname, "..", "..", "app", "migrations");

export interface AppAccount {
    database: string;
    user: string;
    password: string;
}

/** The app's database settings, as the hosts put them in its environment. */
export function databaseEnv(db: MariaDb, account: AppAccount): Record<string, string> {
    return {
        DB_HOST: db.host, DB_PORT: String(db.port), DB_NAME: account.database, DB_USER: account.user, DB_PASSWORD: account.password,
        ...(db.tlsCa ? { DB_TLS_CA_BASE64: Buffer.from(db.tlsCa).toString("base64") } : {}),
    };
}

/**
 * The account as the create-app-db step leaves it (the database, `user`@'%', ALL on that database),
 * made directly as the admin: the app's tests need an account, not the step, which
 * createAppDb.test.ts covers with the host's client. Idempotent; over verified TLS when the server requires it.
 */
export async function createAccount(db: MariaDb, account: AppAccount): Promise<void> {
    const admin = await mysql.createConnection({
        host: db.host, port: db.port, user: db.adminUser, password: db.adminPassword, ssl: db.tlsCa ? { ca: db.tlsCa } : undefined,
    });
    try {
        await admin.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(account.database)}`);
        await admin.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [account.user, account.password]);
        await admin.query(`GRANT ALL PRIVILEGES ON ${mysql.escapeId(account.database)}.* TO ?@'%'`, [account.user]);
    } finally {
        await admin.end();
    }
}

/** Runs the migration tool with the app's database settings in its environment, on `directory` when given. */
export function migrate(env: Record<string, string>, directory?: string): Promise<RunResult> {
    return run("node", [migrateScript, ...(directory ? [directory] : [])], { env });
}
