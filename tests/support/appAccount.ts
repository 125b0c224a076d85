import * as mysql from "mysql2/promise";
import { MariaDb } from "./mariadb";

/** The app's own database and user, as the app's tests need them. */
export interface AppAccount {
    database: string;
    user: string;
    password: string;
}

/**
 * Creates the account as the create-app-db step leaves it (the database, `user`@'%', ALL on that
 * database), directly as the admin: the app's tests need an account, not the step, which
 * createAppDb.test.ts covers with the host's client. Over verified TLS when the server requires it.
 */
export async function createAppAccount(db: MariaDb, account: AppAccount): Promise<void> {
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
