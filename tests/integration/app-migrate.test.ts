import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { AppAccount, createAccount, databaseEnv, migrate } from "../support/appDatabase";
import { startBlackholeProxy } from "../support/blackholeProxy";
import { MariaDb, startMariaDb } from "../support/mariadb";

const password = "migrate-secret-5b2a";

describe("the app's migration tool (node dist/tools/migrate.js) against a real MariaDB", function () {
    this.timeout(60_000);
    let db: MariaDb;
    let scratch: string;
    let accounts = 0;

    /** A database of its own for each test: runs never see each other's schema. */
    const freshAccount = async (): Promise<AppAccount> => {
        accounts += 1;
        const account = { database: `migrate_${accounts}`, user: `migrate_${accounts}`, password };
        await createAccount(db, account);
        return account;
    };
    const migrationsDir = (files: Record<string, string>): string => {
        const dir = fs.mkdtempSync(path.join(scratch, "migrations-"));
        for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
        return dir;
    };
    const withConnection = async <T>(account: AppAccount, work: (c: mysql.Connection) => Promise<T>): Promise<T> => {
        const connection = await mysql.createConnection({ host: db.host, port: db.port, user: account.user, password, database: account.database });
        try {
            return await work(connection);
        } finally {
            await connection.end();
        }
    };
    const tables = (account: AppAccount) => withConnection(account, async (c) =>
        (await c.query<mysql.RowDataPacket[]>("SHOW TABLES"))[0].map((row) => String(Object.values(row)[0])).sort());
    const recorded = (account: AppAccount) => withConnection(account, async (c) =>
        (await c.query<mysql.RowDataPacket[]>("SELECT name FROM schema_migrations ORDER BY name"))[0].map((row) => String(row.name)));

    before(async () => {
        db = await startMariaDb();
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-migrate-"));
    });
    after(async () => {
        await db.destroy();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("applies 001_create_notes.sql on the first run and nothing on the second", async () => {
        const account = await freshAccount();
        const first = await migrate(databaseEnv(db, account));
        expect(first.code, first.stderr).to.equal(0);
        expect(first.stdout).to.match(/^001_create_notes\.sql: applied \(\d+ ms\)\nschema up to date: 1 applied now, 0 applied before\n$/);
        expect(await tables(account)).to.deep.equal(["notes", "schema_migrations"]);

        const second = await migrate(databaseEnv(db, account));
        expect(second.code, second.stderr).to.equal(0);
        expect(second.stdout).to.equal("001_create_notes.sql: already applied\nschema up to date: 0 applied now, 1 applied before\n");
        expect(await recorded(account)).to.deep.equal(["001_create_notes.sql"]);
    });

    it("serialises two concurrent runs: both succeed, one applies, the other finds it applied", async () => {
        const account = await freshAccount();
        // Slow, and fails if run twice (no IF NOT EXISTS): without the lock both runs would apply it.
        const dir = migrationsDir({ "001_slow.sql": "DO SLEEP(1);\nCREATE TABLE slow_marker (id INT);\n" });
        const runs = await Promise.all([migrate(databaseEnv(db, account), dir), migrate(databaseEnv(db, account), dir)]);
        for (const result of runs) expect(result.code, result.stderr).to.equal(0);
        const outputs = runs.map((result) => result.stdout.split("\n")[0].replace(/\(\d+ ms\)/, "(N ms)")).sort();
        expect(outputs).to.deep.equal(["001_slow.sql: already applied", "001_slow.sql: applied (N ms)"]);
    });

    it("stops at a failing file, names it and the server's error, and keeps the files before it applied", async () => {
        const account = await freshAccount();
        const dir = migrationsDir({
            "001_first.sql": "CREATE TABLE first_table (id INT);",
            "002_broken.sql": "CREATE TABLE broken_table (id INT,);",
            "003_after.sql": "CREATE TABLE after_table (id INT);",
        });
        const result = await migrate(databaseEnv(db, account), dir);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.match(/^001_first\.sql: applied/);
        expect(result.stderr).to.match(/^migrate: 002_broken\.sql failed: ER_PARSE_ERROR: You have an error in your SQL syntax/);
        expect(result.stdout + result.stderr).not.to.include(password);
        expect(await recorded(account)).to.deep.equal(["001_first.sql"]);
        expect(await tables(account)).to.deep.equal(["first_table", "schema_migrations"]);
    });

    it("refuses, naming it, a file changed since it was applied, and applies nothing else", async () => {
        const account = await freshAccount();
        const dir = migrationsDir({ "001_table.sql": "CREATE TABLE t (id INT);" });
        expect((await migrate(databaseEnv(db, account), dir)).code).to.equal(0);
        fs.writeFileSync(path.join(dir, "001_table.sql"), "CREATE TABLE t (id BIGINT);");
        fs.writeFileSync(path.join(dir, "002_more.sql"), "CREATE TABLE more_table (id INT);");

        const result = await migrate(databaseEnv(db, account), dir);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include("refused, nothing applied");
        expect(result.stderr).to.match(/001_table\.sql changed since it was applied \(sha256 [0-9a-f]{64} then, [0-9a-f]{64} now\)/);
        expect(await recorded(account)).to.deep.equal(["001_table.sql"]);
    });

    it("runs from an earlier release (a rollback) without touching what a later one applied", async () => {
        const account = await freshAccount();
        const later = migrationsDir({ "001_a.sql": "CREATE TABLE a (id INT);", "002_b.sql": "ALTER TABLE a ADD COLUMN b INT NULL;" });
        expect((await migrate(databaseEnv(db, account), later)).code).to.equal(0);
        const earlier = migrationsDir({ "001_a.sql": "CREATE TABLE a (id INT);" });
        const result = await migrate(databaseEnv(db, account), earlier);
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.equal("001_a.sql: already applied\n002_b.sql: applied by a later release\nschema up to date: 0 applied now, 2 applied before\n");
    });

    it("lets a statement run longer than the server watch's bound while the server answers", async () => {
        const account = await freshAccount();
        // 7 s: longer than the 5 s the watch gives SELECT 1, so a read timeout on the statement would show.
        const result = await migrate(databaseEnv(db, account), migrationsDir({ "001_long.sql": "DO SLEEP(7); CREATE TABLE long_done (id INT);" }));
        expect(result.code, result.stderr).to.equal(0);
        expect(await recorded(account)).to.deep.equal(["001_long.sql"]);
    });

    it("gives up on a server gone silent mid-file (a failover's dropped packets), naming the file, instead of waiting on TCP", async () => {
        const account = await freshAccount();
        const proxy = await startBlackholeProxy(db.port);
        try {
            const started = Date.now();
            const running = migrate({ ...databaseEnv(db, account), DB_PORT: String(proxy.port) },
                migrationsDir({ "001_first.sql": "CREATE TABLE first_table (id INT);", "002_long.sql": "DO SLEEP(30); CREATE TABLE never (id INT);" }));
            await new Promise((resolve) => setTimeout(resolve, 3_000));
            proxy.cut();
            const result = await running;
            expect(result.code).to.equal(1);
            expect(result.stderr).to.match(new RegExp(`^migrate: the database at ${db.host}:${proxy.port} stopped answering \\(no reply to SELECT 1 within 5 s\\) while applying 002_long\\.sql`));
            expect(result.stderr).not.to.include(password);
            // Cut at 3 s: the watch asks every 2 s and waits 5 s for an answer; the statement alone would run 30 s.
            expect(Date.now() - started).to.be.below(3_000 + 2_000 + 5_000 + 3_000);
            expect(await recorded(account)).to.deep.equal(["001_first.sql"]);
        } finally {
            await proxy.close();
        }
    });

    it("refuses misnamed files before connecting, naming each", async () => {
        const account = await freshAccount();
        const dir = migrationsDir({ "1_short.sql": "DO 1;", "002_a.sql": "DO 1;", "002_b.sql": "DO 1;" });
        const result = await migrate(databaseEnv(db, account), dir);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include("1_short.sql: not named NNN_name.sql");
        expect(result.stderr).to.include("002_b.sql: number 002 is already 002_a.sql's");
        expect(await tables(account)).to.deep.equal([]);
    });

    it("needs only the database settings, lists every missing one, and never prints the password", async () => {
        const missing = await migrate({ DB_HOST: db.host, DB_PASSWORD: password });
        expect(missing.code).to.equal(1);
        expect(missing.stderr).to.include("DB_NAME is required").and.to.include("DB_USER is required");
        expect(missing.stderr).not.to.match(/PORT is required|SHARED_DIR/);

        const account = await freshAccount();
        const denied = await migrate({ ...databaseEnv(db, account), DB_PASSWORD: "wrong-migrate-pass" });
        expect(denied.code).to.equal(1);
        // Which database refused, and why: what an operator reads at the end of a failed release.
        expect(denied.stderr).to.match(new RegExp(`^migrate: the database at ${db.host}:${db.port}: ER_ACCESS_DENIED_ERROR: Access denied`));
        expect(denied.stderr).not.to.include("wrong-migrate-pass");
    });
});

describe("the migration tool against a MariaDB that requires TLS", function () {
    this.timeout(60_000);
    let db: MariaDb;
    const account = { database: "tls_migrate", user: "tls_migrate", password };

    before(async () => {
        db = await startMariaDb({ requireTls: true });
        await createAccount(db, account);
    });
    after(async () => { await db.destroy(); });

    it("applies the app's migrations over verified TLS with DB_TLS_CA_BASE64", async () => {
        const result = await migrate(databaseEnv(db, account));
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.match(/^001_create_notes\.sql: applied/);
    });
});
