import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createAccount } from "../support/appDatabase";
import { request } from "../../local/http/probe";
import { AppProcess, startApp } from "../support/appProcess";
import { MariaDb, startMariaDb } from "../support/mariadb";

const appAccount = { DB_NAME: "ha_web", DB_USER: "ha_web_app", DB_PASSWORD: "app-secret-4f9c" };

interface HealthBody {
    status: string;
    version: string;
    checks: { database: { ok: boolean; error?: string }; shared: { ok: boolean; error?: string } };
}

describe("app /health against a real MariaDB", () => {
    let db: MariaDb;
    let sharedDir: string;
    const apps: AppProcess[] = [];

    const startWith = async (env: Record<string, string>): Promise<AppProcess> => {
        const app = await startApp({
            DB_HOST: db.host, DB_PORT: String(db.port), ...appAccount, APP_VERSION: "health-test", SHARED_DIR: sharedDir, ...env,
        });
        apps.push(app);
        return app;
    };
    const health = async (app: AppProcess): Promise<{ status: number; body: HealthBody }> => {
        const reply = await request(`${app.baseUrl}/health`);
        return { status: reply.status, body: JSON.parse(reply.text) as HealthBody };
    };

    before(async () => {
        db = await startMariaDb();
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-shared-"));
        await createAccount(db, { database: appAccount.DB_NAME, user: appAccount.DB_USER, password: appAccount.DB_PASSWORD });
    });
    afterEach(async () => {
        await Promise.all(apps.splice(0).map((app) => app.stop()));
        await db.start();
    });
    after(async () => {
        await db.destroy();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("is 200 with every check ok when the database and the shared directory work", async () => {
        const app = await startWith({});
        const { status, body } = await health(app);
        expect(status).to.equal(200);
        expect(body).to.deep.equal({ status: "ok", version: "health-test", checks: { database: { ok: true }, shared: { ok: true } } });
    });

    it("stays 200 under concurrent checks (hosts and colours share the directory, a host name and maybe a pid)", async () => {
        const app = await startWith({});
        const replies = await Promise.all(Array.from({ length: 20 }, () => health(app)));
        expect(replies.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
    });

    it("reads the password from DB_PASSWORD_FILE, which wins over DB_PASSWORD", async () => {
        const file = path.join(sharedDir, "..", `db-password-${process.pid}`);
        fs.writeFileSync(file, `${appAccount.DB_PASSWORD}\n`, { mode: 0o600 });
        try {
            const app = await startWith({ DB_PASSWORD: "wrong", DB_PASSWORD_FILE: file });
            expect((await health(app)).status).to.equal(200);
        } finally {
            fs.rmSync(file);
        }
    });

    it("is 503 with bad credentials, names the problem, never the password", async () => {
        const app = await startWith({ DB_PASSWORD: "wrong-password-77" });
        const { status, body } = await health(app);
        expect(status).to.equal(503);
        expect(body.status).to.equal("fail");
        expect(body.checks.database.ok).to.equal(false);
        expect(body.checks.database.error).to.include("Access denied");
        expect(JSON.stringify(body)).not.to.include("wrong-password-77");
        expect(app.lines.join("\n")).not.to.include("wrong-password-77");
    });

    it("is 503 while the database is stopped, / and /ping still 200, and recovers when it returns", async () => {
        const app = await startWith({});
        expect((await health(app)).status).to.equal(200);
        await db.stop();
        const down = await health(app);
        expect(down.status).to.equal(503);
        expect(down.body.checks.database.ok).to.equal(false);
        expect(down.body.checks.shared.ok).to.equal(true);
        expect((await request(`${app.baseUrl}/`)).status).to.equal(200);
        expect((await request(`${app.baseUrl}/ping`)).status).to.equal(200);
        await db.start();
        expect((await health(app)).status).to.equal(200);
    });

    it("is 503 when the shared directory cannot be written", async () => {
        const app = await startWith({ SHARED_DIR: path.join(sharedDir, "not-mounted") });
        const { status, body } = await health(app);
        expect(status).to.equal(503);
        expect(body.checks.shared.ok).to.equal(false);
        expect(body.checks.shared.error).to.include("ENOENT");
        expect(body.checks.database.ok).to.equal(true);
    });
});
