/**
 * Creates the application's database and user, idempotently, as the database admin.
 * Reads one JSON object on stdin (secrets stay off command lines and out of `ps`):
 *   {"host","port","adminUser","adminPassword","database","user","password"[,"tlsCa"]}
 * With "tlsCa" (PEM of the server's CA) every connection uses verified TLS: the certificate must
 * chain to that CA and name "host".
 * Prints what it did, never a secret, and ends with "changes made" or "no changes".
 * Works against MariaDB 10.11 and MySQL 8.4.
 */
import * as mysql from "mysql2/promise";
import { describeTlsNameError, verifiedTls } from "../dbTls";
import { redact } from "../log";

interface Request {
    host: string;
    port: number;
    adminUser: string;
    adminPassword: string;
    database: string;
    user: string;
    password: string;
    tlsCa?: string;
}

/** Plain identifiers only: they travel through shell scripts and Pulumi config as well as SQL. */
const identifier = /^[A-Za-z0-9_]{1,32}$/;
const connectTimeoutMs = 10_000;
const accessDenied = "ER_ACCESS_DENIED_ERROR";

function parseRequest(input: string): Request {
    let value: Record<string, unknown>;
    try {
        value = JSON.parse(input) as Record<string, unknown>;
    } catch {
        throw new Error("stdin is not one JSON object");
    }
    const problems: string[] = [];
    const str = (name: string): string => {
        const field = value[name];
        if (typeof field !== "string" || field === "") problems.push(`"${name}" must be a non-empty string`);
        return typeof field === "string" ? field : "";
    };
    const request: Request = {
        host: str("host"),
        port: Number(value.port ?? 3306),
        adminUser: str("adminUser"),
        adminPassword: str("adminPassword"),
        database: str("database"),
        user: str("user"),
        password: str("password"),
        tlsCa: typeof value.tlsCa === "string" && value.tlsCa !== "" ? value.tlsCa : undefined,
    };
    if (!Number.isInteger(request.port) || request.port < 1 || request.port > 65535) problems.push(`"port" must be an integer 1-65535`);
    for (const name of ["database", "user"] as const) {
        if (request[name] !== "" && !identifier.test(request[name])) problems.push(`"${name}" must match ${identifier}`);
    }
    if (problems.length > 0) throw new Error(`Invalid input:\n${problems.map((problem) => ` - ${problem}`).join("\n")}`);
    return request;
}

/** Connects as `user`, over verified TLS when the request names a CA. */
function connect(request: Request, user: string, password: string): Promise<mysql.Connection> {
    return mysql.createConnection({
        host: request.host, port: request.port, user, password, connectTimeout: connectTimeoutMs,
        ssl: request.tlsCa ? verifiedTls(request.tlsCa) : undefined,
    });
}

/** True when `user` can log in with `password`: the only portable way to compare a password. */
async function passwordWorks(request: Request): Promise<boolean> {
    try {
        const connection = await connect(request, request.user, request.password);
        await connection.end();
        return true;
    } catch (error) {
        if ((error as { code?: string }).code === accessDenied) return false;
        throw error;
    }
}

/** Runs each step only when needed; returns one line per object saying what happened. */
async function ensure(admin: mysql.Connection, request: Request): Promise<{ lines: string[]; changed: boolean }> {
    const lines: string[] = [];
    let changed = false;
    const account = mysql.format("?@'%'", [request.user]);
    // In GRANT, `_` and `%` in a database name are wildcards; escaped, the grant covers this database only.
    const grantTarget = `${mysql.escapeId(request.database.replace(/[_%]/g, "\\$&"))}.*`;

    const [schemas] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [request.database]);
    if (schemas.length === 0) {
        await admin.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(request.database)}`);
        lines.push(`database ${request.database}: created`);
        changed = true;
    } else {
        lines.push(`database ${request.database}: already existed`);
    }

    const [users] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [request.user]);
    if (users.length === 0) {
        await admin.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ?`, [request.password]);
        lines.push(`user ${request.user}@%: created`);
        changed = true;
    } else if (!(await passwordWorks(request))) {
        await admin.query(`ALTER USER ${account} IDENTIFIED BY ?`, [request.password]);
        lines.push(`user ${request.user}@%: already existed, password updated`);
        changed = true;
    } else {
        lines.push(`user ${request.user}@%: already existed, password unchanged`);
    }

    const [grants] = await admin.query<mysql.RowDataPacket[]>(`SHOW GRANTS FOR ${account}`);
    const granted = grants.some((row) => String(Object.values(row)[0]).startsWith(`GRANT ALL PRIVILEGES ON ${grantTarget} TO`));
    if (!granted) {
        await admin.query(`GRANT ALL PRIVILEGES ON ${grantTarget} TO ${account}`);
        lines.push(`privileges on ${request.database}.*: granted to ${request.user}`);
        changed = true;
    } else {
        lines.push(`privileges on ${request.database}.*: already granted to ${request.user}`);
    }
    return { lines, changed };
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
    let request: Request | undefined;
    try {
        request = parseRequest(await readStdin());
        const admin = await connect(request, request.adminUser, request.adminPassword);
        try {
            const { lines, changed } = await ensure(admin, request);
            for (const line of lines) process.stdout.write(`${line}\n`);
            process.stdout.write(changed ? "changes made\n" : "no changes\n");
        } finally {
            await admin.end();
        }
    } catch (error) {
        const described = (request && describeTlsNameError(error, request.host)) || (error as Error).message || String(error);
        const message = [request?.adminPassword, request?.password].reduce<string>(
            (text, secret) => redact(text, secret ?? ""), described);
        process.stderr.write(`create-app-db failed: ${message}\n`);
        process.exitCode = 1;
    }
}

void main();
