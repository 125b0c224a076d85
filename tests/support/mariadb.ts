import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { run } from "../../local/run";
import { makeServerCertificates } from "../../local/stack/certificates";

/** A throwaway MariaDB server on 127.0.0.1 with real authentication, owned by one test file. */
export interface MariaDb {
    host: string;
    port: number;
    adminUser: string;
    adminPassword: string;
    /** With `requireTls`: PEM of the CA that signed the server's certificate (as RDS's CA bundle). */
    tlsCa?: string;
    /** Stops the server (SIGTERM, waits for exit); the data directory survives for start(). */
    stop(): Promise<void>;
    /** Starts it again on the same port with the same data. */
    start(): Promise<void>;
    /**
     * Suspends the server (SIGSTOP): connections are still accepted by the kernel but nothing
     * answers, as with a database that hangs or a network that drops packets.
     */
    freeze(): void;
    /** Resumes a frozen server (SIGCONT). */
    thaw(): void;
    /** Stops it and deletes its data directory. */
    destroy(): Promise<void>;
}

const host = "127.0.0.1";
/**
 * What clients dial when the server requires TLS: a name, as the RDS endpoint is, so they can verify
 * the certificate names it. (For an IP, mysql2 sends no server name and Node then checks the
 * certificate against "localhost" instead of the address dialled: mysql2 3.24 `startTLS`.)
 */
const tlsName = "localhost";
const adminUser = "admin";
const readyTimeoutMs = 30_000;

/** Every server still running: a test run that dies early must not leave one behind. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
    for (const server of running) server.kill("SIGKILL");
});

/** A port nothing listens on right now: the kernel picks it, we release it for the server. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, host, () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

/**
 * Creates a data directory with mariadb-install-db and starts mariadbd on a free loopback port.
 * The admin account is made by an --init-file on every start (idempotent), so no client binary is
 * needed and the password never appears on a command line. `requireTls` makes it refuse plain
 * connections, as the RDS instance does (require_secure_transport), with a certificate for `localhost`
 * (what clients then dial) signed by a throwaway CA (or, with `certifiedName`, for another name: a
 * server that is not who it claims). `statementHistory` turns the Performance Schema on with every
 * statement's text kept after its session ends (events_statements_history_long), for tests of what
 * a server's statement history shows.
 */
export async function startMariaDb(options: { requireTls?: boolean; certifiedName?: string; statementHistory?: boolean } = {}): Promise<MariaDb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-mariadb-"));
    const dataDir = path.join(dir, "data");
    const adminPassword = randomBytes(12).toString("hex");
    const port = await freePort();

    const install = await run("mariadb-install-db", [
        "--no-defaults", `--datadir=${dataDir}`, "--user=root",
        "--auth-root-authentication-method=normal", "--skip-test-db",
    ]);
    if (install.code !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);

    const initFile = path.join(dir, "init.sql");
    fs.writeFileSync(initFile, [
        // Anonymous accounts would shadow 'admin'@'%' for connections from localhost.
        "DELETE FROM mysql.global_priv WHERE User = '';",
        "FLUSH PRIVILEGES;",
        `CREATE USER IF NOT EXISTS '${adminUser}'@'%' IDENTIFIED BY '${adminPassword}';`,
        `GRANT ALL PRIVILEGES ON *.* TO '${adminUser}'@'%' WITH GRANT OPTION;`,
        "",
    ].join("\n"), { mode: 0o600 });

    const args = [
        "--no-defaults", `--datadir=${dataDir}`, "--user=root",
        `--bind-address=${host}`, `--port=${port}`,
        `--socket=${path.join(dir, "mysqld.sock")}`, `--pid-file=${path.join(dir, "mysqld.pid")}`,
        `--log-error=${path.join(dir, "error.log")}`, `--init-file=${initFile}`,
        "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
    ];
    if (options.statementHistory) {
        args.push("--performance-schema=ON", "--performance-schema-instrument=statement/%=ON", "--performance-schema-consumer-events-statements-current=ON", "--performance-schema-consumer-events-statements-history-long=ON");
    }
    const tlsCa = options.requireTls ? await makeServerCertificates(dir, tlsName, options.certifiedName ?? `DNS:${tlsName}`) : undefined;
    if (tlsCa) {
        args.push(`--ssl-ca=${path.join(dir, "ca.pem")}`, `--ssl-cert=${path.join(dir, "server.pem")}`,
            `--ssl-key=${path.join(dir, "server.key")}`, "--require-secure-transport=ON");
    }
    let child: ChildProcess | undefined;

    const start = async (): Promise<void> => {
        if (child) return;
        const started = spawn("mariadbd", args, { stdio: "ignore" });
        child = started;
        running.add(started);
        started.once("exit", () => {
            running.delete(started);
            if (child === started) child = undefined;
        });
        await waitUntilReady(port, adminPassword, tlsCa, () => child === started, path.join(dir, "error.log"));
    };
    const stop = async (): Promise<void> => {
        const running = child;
        if (!running) return;
        const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
        running.kill("SIGTERM");
        await exited;
    };
    const signal = (name: NodeJS.Signals) => (): void => {
        if (!child) throw new Error(`mariadbd on port ${port} is not running; start() it first`);
        child.kill(name);
    };
    const destroy = async (): Promise<void> => {
        // A frozen server ignores SIGTERM until it runs again.
        child?.kill("SIGCONT");
        await stop();
        fs.rmSync(dir, { recursive: true, force: true });
    };

    try {
        await start();
    } catch (error) {
        await destroy();
        throw error;
    }
    return {
        host: tlsCa ? tlsName : host, port, adminUser, adminPassword, tlsCa, stop, start, destroy,
        freeze: signal("SIGSTOP"), thaw: signal("SIGCONT"),
    };
}

async function waitUntilReady(port: number, password: string, tlsCa: string | undefined, alive: () => boolean, errorLog: string): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
        if (!alive()) throw new Error(`mariadbd exited during start-up:\n${readLog(errorLog)}`);
        try {
            const connection = await mysql.createConnection({
                host, port, user: adminUser, password, connectTimeout: 1000, ssl: tlsCa ? { ca: tlsCa } : undefined,
            });
            await connection.end();
            return;
        } catch (error) {
            if (Date.now() > deadline) {
                throw new Error(`mariadbd not ready on ${host}:${port} after ${readyTimeoutMs} ms (${String(error)}):\n${readLog(errorLog)}`);
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

function readLog(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-20).join("\n") : "(no error log)";
}
