import { expect } from "chai";
import * as fs from "fs";
import * as mysql from "mysql2/promise";
import * as os from "os";
import * as path from "path";
import { renderStdin } from "../../components/plan/step";
import { hostPaths } from "../../components/plan/hostPaths";
import { createAppDbScript, discardOldDbPasswordScript } from "../../components/plan/stepScripts";
import { run, RunResult } from "../../local/run";
import { MariaDb, startMariaDb } from "../support/mariadb";

/** Passwords that break naive quoting in SQL, in shell, or in a MySQL option file. */
const hostilePasswords = [
    "'; DROP DATABASE app_db; --",
    "back\\slash\\",
    "\\'\\\"\\\\ escapes \\n\\t\\s",
    "\"double\" and 'single' quotes",
    "# not a comment ; nor this = [client]",
    "unbalanced\" # quote",
    "  spaces around  ",
    "$(touch /tmp/ha-web-pwned) `id` ${HOME}",
    "unicodé ünïcødé 密码 🔑",
    "'",
    "\"",
];

describe("create-app-db.sh with the host's mariadb client, against a MariaDB that requires verified TLS as RDS does", function () {
    this.timeout(120_000);
    let db: MariaDb;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-create-app-db-test-"));
    /** apply-config's copy of the database's CA. */
    const dbCaFile = path.join(work, "db-ca.pem");
    /** The script's TMPDIR: whatever it writes there (its option files) must be gone when it ends. */
    const scriptTmp = path.join(work, "tmp");

    type Values = Record<"DB_HOST" | "DB_PORT" | "DB_ADMIN_USER" | "DB_ADMIN_PASSWORD" | "DB_NAME" | "DB_USER" | "DB_PASSWORD", string>;
    const values = (overrides: Partial<Values> = {}): Values => ({
        DB_HOST: db.host, DB_PORT: String(db.port), DB_ADMIN_USER: db.adminUser, DB_ADMIN_PASSWORD: db.adminPassword,
        DB_NAME: "app_db", DB_USER: "app_user", DB_PASSWORD: "first-secret-1a", ...overrides,
    });
    /**
     * Runs the step as an executor does: the rendered script as `bash -c`, its values on stdin;
     * `tracedTo`: under strace, writing every program it starts, with arguments and environment, there.
     */
    const createAppDb = async (overrides: Partial<Values> = {}, caFile = dbCaFile, tracedTo?: string, script = createAppDbScript): Promise<RunResult> => {
        const step = ["bash", "-c", script({ ...hostPaths, dbCaFile: caFile }), "ha-web-create-app-db"];
        const tracer = tracedTo ? ["strace", "--follow-forks", "--no-abbrev", "--string-limit=1000000", "--trace=execve", `--output=${tracedTo}`] : [];
        const [program, ...args] = [...tracer, ...step];
        const result = await run(program, args, { input: renderStdin(values(overrides)), env: { TMPDIR: scriptTmp } });
        expect(fs.readdirSync(scriptTmp), "left behind in TMPDIR").to.deep.equal([]);
        return result;
    };
    const connectAs = (user: string, password: string, database = "app_db") =>
        mysql.createConnection({ host: db.host, port: db.port, user, password, database, ssl: { ca: db.tlsCa } });
    const logsIn = (user: string, password: string, database = "app_db"): Promise<boolean> =>
        connectAs(user, password, database).then(async (connection) => { await connection.end(); return true; }, () => false);
    /** As a server's admin: verified TLS, except for a look at the impostor, whose certificate names another host. */
    const asAdmin = async <T>(work: (admin: mysql.Connection) => Promise<T>, server = db): Promise<T> => {
        const admin = await mysql.createConnection({
            host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword,
            ssl: { ca: server.tlsCa, rejectUnauthorized: server === db },
        });
        try {
            return await work(admin);
        } finally {
            await admin.end();
        }
    };
    const databases = (server = db) => asAdmin(async (admin) => {
        const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW DATABASES");
        return rows.map((row) => String(Object.values(row)[0]));
    }, server);
    /**
     * No secret, nor its hex, in the output. Only secrets of 4 bytes or more: a one-character
     * password (there for quoting) is `'` or `27` in hex, which a port number in the output can hold.
     */
    const expectSecretsHidden = (result: RunResult, ...secrets: string[]) => {
        for (const secret of [db.adminPassword, ...secrets].filter((s) => Buffer.byteLength(s) >= 4)) {
            expect(result.stdout + result.stderr).to.not.contain(secret);
            expect(result.stdout + result.stderr).to.not.contain(Buffer.from(secret).toString("hex"));
        }
    };

    before(async () => {
        db = await startMariaDb({ requireTls: true, statementHistory: true });
        fs.writeFileSync(dbCaFile, db.tlsCa!);
        fs.mkdirSync(scriptTmp);
    });
    after(async () => {
        if (db) await db.destroy();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("creates the database, the user and its grant; a second run changes nothing", async () => {
        const first = await createAppDb();
        expect(first.code, first.stderr).to.equal(0);
        expect(first.stdout).to.include("database app_db: created");
        expect(first.stdout).to.include("user app_user@%: created");
        expect(first.stdout).to.include("privileges on app_db.*: granted to app_user");
        expect(first.stdout).to.match(/changes made\n$/);
        expect(await logsIn("app_user", "first-secret-1a")).to.equal(true);

        const second = await createAppDb();
        expect(second.code, second.stderr).to.equal(0);
        expect(second.stdout).to.include("database app_db: already existed");
        expect(second.stdout).to.include("user app_user@%: already existed, password unchanged");
        expect(second.stdout).to.include("privileges on app_db.*: already granted to app_user");
        expect(second.stdout).to.match(/no changes\n$/);
        expectSecretsHidden(first, "first-secret-1a");
        expectSecretsHidden(second, "first-secret-1a");
    });

    it("leaves no password in the server's statement history (performance_schema), for a new user and a changed password", async () => {
        const user = { DB_USER: "history_user", DB_NAME: "history_db" };
        for (const password of ["history-secret-1", "history-secret-2"]) {
            const result = await createAppDb({ ...user, DB_PASSWORD: password });
            expect(result.code, result.stderr).to.equal(0);
        }
        const texts = await asAdmin(async (admin) => {
            const [rows] = await admin.query<mysql.RowDataPacket[]>(
                "SELECT SQL_TEXT FROM performance_schema.events_statements_history_long UNION ALL SELECT SQL_TEXT FROM performance_schema.prepared_statements_instances");
            return rows.map((row) => String(row.SQL_TEXT)).join("\n");
        });
        expect(texts, "the history holds create-app-db's statements (else this test checks nothing)").to.contain("history_db");
        for (const password of ["history-secret-1", "history-secret-2"]) {
            expect(texts).to.not.contain(password);
            expect(texts.toLowerCase()).to.not.contain(Buffer.from(password).toString("hex"));
        }
    });

    it("grants that database only: the user can write there, not in a look-alike (`_` is no wildcard) nor anywhere else", async () => {
        await asAdmin((admin) => admin.query("CREATE DATABASE IF NOT EXISTS appXdb"));
        const app = await connectAs("app_user", "first-secret-1a");
        try {
            await app.query("CREATE TABLE IF NOT EXISTS notes (id INT PRIMARY KEY)");
            const refused = (sql: string) => app.query(sql).then(() => "allowed", (error: { code?: string }) => error.code);
            expect(await refused("CREATE TABLE appXdb.notes (id INT PRIMARY KEY)")).to.equal("ER_TABLEACCESS_DENIED_ERROR");
            expect(await refused("SELECT * FROM mysql.user")).to.equal("ER_TABLEACCESS_DENIED_ERROR");
            expect(await refused("CREATE DATABASE other_db")).to.equal("ER_DBACCESS_DENIED_ERROR");
        } finally {
            await app.end();
        }
    });

    const discardOldPassword = (overrides: Partial<Values> = {}) => createAppDb(overrides, dbCaFile, undefined, discardOldDbPasswordScript);

    it("adds a changed password beside the current one; discard-old-db-password then drops the old one only", async () => {
        const changed = await createAppDb({ DB_PASSWORD: "second-secret-2b" });
        expect(changed.code, changed.stderr).to.equal(0);
        expect(changed.stdout).to.include("user app_user@%: already existed, new password added, the current one kept until discard-old-db-password (alternative)");
        expect(changed.stdout).to.include("privileges on app_db.*: already granted to app_user");
        // Until every host has rolled out, a running app still opens connections with the old one.
        expect(await logsIn("app_user", "second-secret-2b")).to.equal(true);
        expect(await logsIn("app_user", "first-secret-1a")).to.equal(true);
        expect(await logsIn("app_user", "never-set-4d")).to.equal(false);
        expect((await createAppDb({ DB_PASSWORD: "second-secret-2b" })).stdout).to.include("password unchanged");

        const discarded = await discardOldPassword({ DB_PASSWORD: "second-secret-2b" });
        expect(discarded.code, discarded.stderr).to.equal(0);
        expect(discarded.stdout).to.include("app_user@%: old password discarded");
        expect(await logsIn("app_user", "second-secret-2b")).to.equal(true);
        expect(await logsIn("app_user", "first-secret-1a")).to.equal(false);
        const again = await discardOldPassword({ DB_PASSWORD: "second-secret-2b" });
        expect(again.stdout).to.include("has one password; no changes");
        expectSecretsHidden(changed, "second-secret-2b", "first-secret-1a");
        expectSecretsHidden(discarded, "second-secret-2b");
    });

    it("keeps only the newest two across two changes before a discard, as MySQL's RETAIN CURRENT PASSWORD does", async () => {
        expect((await createAppDb({ DB_PASSWORD: "third-secret-3c" })).code).to.equal(0);
        expect((await createAppDb({ DB_PASSWORD: "fourth-secret-4d" })).code).to.equal(0);
        expect(await logsIn("app_user", "second-secret-2b")).to.equal(false);
        expect(await logsIn("app_user", "third-secret-3c")).to.equal(true);
        expect(await logsIn("app_user", "fourth-secret-4d")).to.equal(true);
        expect((await discardOldPassword({ DB_PASSWORD: "fourth-secret-4d" })).code).to.equal(0);
        expect(await logsIn("app_user", "third-secret-3c")).to.equal(false);
    });

    it("never discards while the configured password does not log in (it would drop the one in use)", async () => {
        const refused = await discardOldPassword({ DB_PASSWORD: "not-the-password-9z" });
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include("app_user does not log in with the configured password");
        expect(await logsIn("app_user", "fourth-secret-4d")).to.equal(true);
        expectSecretsHidden(refused, "not-the-password-9z");
    });

    it("takes hostile passwords literally: each one logs in, then checks as unchanged, nothing else happens, none is printed", async () => {
        for (const password of hostilePasswords) {
            const result = await createAppDb({ DB_PASSWORD: password });
            expect(result.code, `${password}: ${result.stderr}`).to.equal(0);
            expect(result.stdout, password).to.include("new password added");
            expect(await logsIn("app_user", password), password).to.equal(true);
            const again = await createAppDb({ DB_PASSWORD: password });
            expect(again.stdout, password).to.include("password unchanged");
            expectSecretsHidden(result, password);
            expectSecretsHidden(again, password);
        }
        expect(await databases()).to.include.members(["app_db", "appXdb"]);
        expect(fs.existsSync("/tmp/ha-web-pwned")).to.equal(false);
    });

    it("hands no secret to any program it starts, in its arguments or its environment", async () => {
        const trace = path.join(work, "execve.trace");
        const result = await createAppDb({ DB_PASSWORD: "traced-secret-5e" }, dbCaFile, trace);
        expect(result.code, result.stderr).to.equal(0);
        const started = fs.readFileSync(trace, "utf8");
        // The client (each login), and od, which turns the app password into hex.
        expect(started).to.match(/execve\("\/usr\/bin\/mariadb", \["mariadb", "--defaults-file=/);
        expect(started).to.match(/execve\("\/usr\/bin\/od", /);
        for (const secret of [db.adminPassword, "traced-secret-5e"]) {
            expect(started).to.not.contain(secret);
            expect(started).to.not.contain(Buffer.from(secret).toString("hex"));
        }
    });

    it("logs in as an admin whose password is hostile too (option file quoting)", async () => {
        const adminPassword = " adm\"in # not a comment \\ \\n 'q' 🔑 ";
        await asAdmin(async (admin) => {
            await admin.query("CREATE USER 'admin_2'@'%' IDENTIFIED BY ?", [adminPassword]);
            await admin.query("GRANT ALL PRIVILEGES ON *.* TO 'admin_2'@'%' WITH GRANT OPTION");
        });
        const result = await createAppDb({ DB_ADMIN_USER: "admin_2", DB_ADMIN_PASSWORD: adminPassword, DB_NAME: "second_db", DB_USER: "second_user" });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.include("database second_db: created");
        expect(await logsIn("second_user", "first-secret-1a", "second_db")).to.equal(true);
        expectSecretsHidden(result, adminPassword);
    });

    it("fails clearly on a wrong admin password, changing nothing and printing no secret", async () => {
        const result = await createAppDb({ DB_ADMIN_PASSWORD: "wrong-admin-3c", DB_PASSWORD: "never-set-4d" });
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include("create-app-db: the database at localhost:");
        expect(result.stderr).to.include("ERROR 1045");
        expect(result.stderr).to.include("the admin credentials (DB_ADMIN_USER, DB_ADMIN_PASSWORD) are wrong");
        expect(await logsIn("app_user", "never-set-4d")).to.equal(false);
        expectSecretsHidden(result, "wrong-admin-3c", "never-set-4d");
    });

    describe("a server that is not the one named", () => {
        let impostor: MariaDb;
        let impostorCa: string;
        before(async () => {
            impostor = await startMariaDb({ requireTls: true, certifiedName: "DNS:other-db.example.internal,IP:127.0.0.2" });
            impostorCa = path.join(work, "impostor-ca.pem");
            fs.writeFileSync(impostorCa, impostor.tlsCa!);
        });
        after(async () => { if (impostor) await impostor.destroy(); });
        const against = (server: MariaDb, caFile: string) => createAppDb({
            DB_PORT: String(server.port), DB_ADMIN_PASSWORD: server.adminPassword, DB_NAME: "impostor_db",
        }, caFile);

        it("refuses a certificate from the right CA that names another host, and creates nothing there", async () => {
            const result = await against(impostor, impostorCa);
            expect(result.code).to.equal(1);
            expect(result.stderr).to.include("ERROR 2026");
            expect(result.stderr).to.include("the server's TLS certificate must name localhost and chain to the CA in");
            expectSecretsHidden(result, impostor.adminPassword);
            expect(await databases(impostor)).to.not.include("impostor_db");
        });

        it("refuses a certificate from another CA", async () => {
            const result = await against(db, impostorCa);
            expect(result.code).to.equal(1);
            expect(result.stderr).to.include("ERROR 2026");
            expect(await databases()).to.not.include("impostor_db");
        });
    });

    it("refuses names that are not plain identifiers and a missing CA file before connecting, listing every problem", async () => {
        const result = await createAppDb({ DB_NAME: "app`; DROP DATABASE app_db; --", DB_USER: "app'@'%", DB_PORT: "x", DB_PASSWORD: "" });
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include("DB_NAME must be 1-64 letters, digits or _ (got \"app`; DROP DATABASE app_db; --\")");
        expect(result.stderr).to.include("DB_USER must be 1-32 letters, digits or _");
        expect(result.stderr).to.include("DB_PORT must be a port number");
        expect(result.stderr).to.include("DB_PASSWORD must not be empty");

        const noCa = await createAppDb({}, path.join(work, "missing-ca.pem"));
        expect(noCa.code).to.equal(1);
        expect(noCa.stderr).to.match(/missing-ca\.pem is missing: run the apply-config step first/);
        expect(await databases()).to.include("app_db");
    });
});
