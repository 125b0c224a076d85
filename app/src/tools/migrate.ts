/**
 * Applies the app's schema migrations: `node dist/tools/migrate.js [directory]`.
 * The directory defaults to the image's /app/migrations (app/migrations in the repository).
 * Reads the database settings from the app's own environment (DB_HOST, DB_PORT, DB_NAME, DB_USER,
 * DB_PASSWORD or DB_PASSWORD_FILE, DB_TLS_CA_BASE64). The platform runs it once per release, in the
 * NEW image, before any host switches, so the release still serving meets the migrated schema:
 * every migration must keep it working (expand/contract, app/README.md).
 *
 * One run, under a MySQL named lock so concurrent runs take turns:
 *   create schema_migrations if missing; read what it records; refuse if an applied file changed;
 *   apply each new file in name order, recording each right after it ran.
 * Prints one line per file; exits 0 when the schema is up to date, 1 with a message naming the file
 * and the server's error (never the password) otherwise. A second run applies nothing.
 */
import * as path from "path";
import * as mysql from "mysql2/promise";
import { DatabaseConfig, loadDatabaseConfig } from "../config";
import { connectionOptions } from "../database";
import { describeTlsNameError } from "../dbTls";
import { describeError, redact } from "../log";
import { AppliedMigration, migrationsTable, MigrationFile, planMigrations, readMigrationFiles } from "../migrations";
import { whileServerAnswers, WatchTimings } from "./serverWatch";

const defaultDirectory = path.join(__dirname, "..", "..", "migrations");
const connectTimeoutMs = 10_000;
/** How long a run waits for another one to finish before it gives up. */
const lockWaitSeconds = 60;
/** `SELECT 1` answers in milliseconds even on a busy server; 5 s of silence is a server gone, not a slow one. */
const serverWatch: WatchTimings = { everyMs: 2_000, answerWithinMs: 5_000 };

/** A failure that already names what failed; printed as is. */
class MigrationError extends Error {}

/** GET_LOCK names are server-wide (not per database) and at most 64 characters. */
const lockName = (database: string): string => `${database}.${migrationsTable}`.slice(0, 64);

async function withLock<T>(connection: mysql.Connection, database: string, work: () => Promise<T>): Promise<T> {
    const name = lockName(database);
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS acquired", [name, lockWaitSeconds]);
    if (rows[0].acquired !== 1) {
        throw new MigrationError(`another run has held the lock ${name} for ${lockWaitSeconds} s; `
            + "if none should be running, find the session holding it (SELECT IS_USED_LOCK(...), SHOW PROCESSLIST) and try again");
    }
    try {
        return await work();
    } finally {
        // Also released when the session ends, should this run die first.
        await connection.query("SELECT RELEASE_LOCK(?)", [name]);
    }
}

async function appliedMigrations(connection: mysql.Connection): Promise<AppliedMigration[]> {
    await connection.query(`CREATE TABLE IF NOT EXISTS ${migrationsTable} (
        name VARCHAR(255) NOT NULL PRIMARY KEY,
        checksum CHAR(64) NOT NULL,
        applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
    ) ENGINE = InnoDB`);
    const [rows] = await connection.query<mysql.RowDataPacket[]>(`SELECT name, checksum FROM ${migrationsTable} ORDER BY name`);
    return rows.map((row) => ({ name: String(row.name), checksum: String(row.checksum) }));
}

/**
 * Runs one file, then records it. MySQL commits each DDL statement on its own, so a file cannot be
 * rolled back: a failure leaves the statements before the failing one applied (and unrecorded).
 */
async function apply(connection: mysql.Connection, file: MigrationFile): Promise<void> {
    const started = Date.now();
    try {
        await connection.query(file.sql);
    } catch (error) {
        throw new MigrationError(`${file.name} failed: ${describeError(error)}. `
            + "Files before it stay applied; nothing after it ran. Fix the file (it was not recorded) and run again.");
    }
    await connection.query(`INSERT INTO ${migrationsTable} (name, checksum) VALUES (?, ?)`, [file.name, file.checksum]);
    process.stdout.write(`${file.name}: applied (${Date.now() - started} ms)\n`);
}

async function migrate(config: DatabaseConfig, directory: string): Promise<void> {
    const files = readMigrationFiles(directory);
    // Statements of one file travel as one query; files are ours, never client input.
    const connection = await mysql.createConnection({ ...connectionOptions(config, connectTimeoutMs), multipleStatements: true });
    const watch = await mysql.createConnection(connectionOptions(config, connectTimeoutMs)).catch(async (error) => {
        connection.destroy();
        throw error;
    });
    let applying = "";
    const lost = (silentMs: number) => new MigrationError(`the database at ${config.host}:${config.port} stopped answering `
        + `(no reply to SELECT 1 within ${silentMs / 1000} s) ${applying ? `while applying ${applying}` : "before any file was applied"}; `
        + "stopped waiting for it. A file cut short may be partly applied (MySQL commits each DDL statement on its own) "
        + "and is not recorded: once the database answers (a failover moves its name), check that file's statements against the schema, "
        + "then deploy again");
    let abandoned = false;
    const abandon = () => {
        abandoned = true;
        connection.destroy();
        watch.destroy();
    };
    try {
        await whileServerAnswers(watch, serverWatch, () => withLock(connection, config.name, async () => {
            // Read under the lock: a run that waited sees what the one before it applied.
            const plan = planMigrations(files, await appliedMigrations(connection));
            if (plan.refused.length > 0) throw new MigrationError(`refused, nothing applied:\n${plan.refused.map((line) => ` - ${line}`).join("\n")}`);
            let appliedNow = 0;
            for (const step of plan.steps) {
                if (step.action === "apply") {
                    applying = step.file.name;
                    await apply(connection, step.file);
                    applying = "";
                    appliedNow += 1;
                } else {
                    process.stdout.write(`${step.name}: ${step.action}\n`);
                }
            }
            process.stdout.write(`schema up to date: ${appliedNow} applied now, ${plan.steps.length - appliedNow} applied before\n`);
        }), abandon, lost);
    } finally {
        // A connection cut by the watch has nobody left to say goodbye to.
        if (!abandoned) await Promise.all([connection.end(), watch.end()].map((ending) => ending.catch(() => undefined)));
    }
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    let config: DatabaseConfig | undefined;
    try {
        if (args.length > 1) throw new MigrationError(`usage: node dist/tools/migrate.js [directory], got ${args.length} arguments`);
        config = loadDatabaseConfig(process.env);
        await migrate(config, args[0] ?? defaultDirectory);
    } catch (error) {
        const described = error instanceof MigrationError ? error.message
            : config ? describeTlsNameError(error, config.host) ?? `the database at ${config.host}:${config.port}: ${describeError(error)}`
                : describeError(error);
        process.stderr.write(`migrate: ${redact(described, config?.password ?? "")}\n`);
        process.exitCode = 1;
    }
}

void main();
