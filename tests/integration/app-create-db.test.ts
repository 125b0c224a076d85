import { expect } from "chai";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { run, RunResult } from "../local/run";
import { MariaDb, startMariaDb } from "../support/mariadb";

const tool = path.join(__dirname, "..", "..", "app", "dist", "tools", "create-app-db.js");

describe("create-app-db tool against a real MariaDB", () => {
    let db: MariaDb;
    const request = (overrides: Record<string, unknown> = {}) => ({
        host: db.host, port: db.port, adminUser: db.adminUser, adminPassword: db.adminPassword,
        database: "shop_db", user: "shop", password: "first-secret-1a", ...overrides,
    });
    const createAppDb = (input: unknown): Promise<RunResult> => run("node", [tool], { input: JSON.stringify(input) });
    const connectAs = (user: string, password: string) =>
        mysql.createConnection({ host: db.host, port: db.port, user, password, database: "shop_db" });

    before(async () => { db = await startMariaDb(); });
    after(async () => { await db.destroy(); });

    it("creates the database, the user and its grant, then a second run reports no changes", async () => {
        const first = await createAppDb(request());
        expect(first.code, first.stderr).to.equal(0);
        expect(first.stdout).to.include("database shop_db: created");
        expect(first.stdout).to.include("user shop@%: created");
        expect(first.stdout).to.match(/changes made\n$/);

        const second = await createAppDb(request());
        expect(second.code, second.stderr).to.equal(0);
        expect(second.stdout).to.include("database shop_db: already existed");
        expect(second.stdout).to.include("password unchanged");
        expect(second.stdout).to.match(/no changes\n$/);
        expect(first.stdout + second.stdout).not.to.include("first-secret-1a");
        expect(first.stdout + second.stdout).not.to.include(db.adminPassword);
    });

    it("grants that database only: the user can write there, not in a look-alike database", async () => {
        const admin = await mysql.createConnection({ host: db.host, port: db.port, user: db.adminUser, password: db.adminPassword });
        await admin.query("CREATE DATABASE IF NOT EXISTS shopXdb");
        await admin.end();
        const app = await connectAs("shop", "first-secret-1a");
        try {
            await app.query("CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY)");
            const elsewhere = await app.query("CREATE TABLE shopXdb.orders (id INT PRIMARY KEY)").then(() => "created", (error: { code?: string }) => error.code);
            expect(elsewhere).to.equal("ER_TABLEACCESS_DENIED_ERROR");
        } finally {
            await app.end();
        }
    });

    it("updates a changed password so it takes effect, and says so", async () => {
        const changed = await createAppDb(request({ password: "second-secret-2b" }));
        expect(changed.code, changed.stderr).to.equal(0);
        expect(changed.stdout).to.include("password updated");
        expect(changed.stdout).not.to.include("second-secret-2b");
        await (await connectAs("shop", "second-secret-2b")).end();
        const old = await connectAs("shop", "first-secret-1a").then(() => "connected", (error: { code?: string }) => error.code);
        expect(old).to.equal("ER_ACCESS_DENIED_ERROR");
    });

    it("fails with a clear message and no secret when the admin credentials are wrong", async () => {
        const failed = await createAppDb(request({ adminPassword: "bad-admin-3c" }));
        expect(failed.code).to.not.equal(0);
        expect(failed.stderr).to.include("create-app-db failed: Access denied");
        expect(failed.stderr + failed.stdout).not.to.include("bad-admin-3c");
    });

    it("rejects malformed input before touching the database", async () => {
        const failed = await createAppDb(request({ database: "shop`; DROP DATABASE mysql; --", port: "x" }));
        expect(failed.code).to.not.equal(0);
        expect(failed.stderr).to.include('"database" must match');
        expect(failed.stderr).to.include('"port" must be an integer');
    });
});
