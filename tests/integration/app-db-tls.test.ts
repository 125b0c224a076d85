import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createAccount } from "../support/appDatabase";
import { request } from "../../local/http/probe";
import { AppProcess, startApp } from "../support/appProcess";
import { MariaDb, startMariaDb } from "../support/mariadb";

const account = { database: "tls_app", user: "tls_user", password: "tls-secret-8d1e" };

/**
 * Like RDS with require_secure_transport: a server that refuses unencrypted connections. (The
 * create-app-db step over TLS: createAppDb.test.ts.)
 */
describe("the app against a MariaDB that requires TLS", () => {
    let db: MariaDb;
    let sharedDir: string;
    const apps: AppProcess[] = [];

    const startWith = async (env: Record<string, string>): Promise<AppProcess> => {
        const app = await startApp({
            DB_HOST: db.host, DB_PORT: String(db.port), DB_NAME: account.database, DB_USER: account.user,
            DB_PASSWORD: account.password, APP_VERSION: "tls-test", SHARED_DIR: sharedDir, ...env,
        });
        apps.push(app);
        return app;
    };

    before(async () => {
        db = await startMariaDb({ requireTls: true });
        await createAccount(db, account);
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-shared-"));
    });
    afterEach(async () => {
        await Promise.all(apps.splice(0).map((app) => app.stop()));
    });
    after(async () => {
        await db.destroy();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("the app is healthy with DB_TLS_CA_BASE64 and reports the database down without it", async () => {
        const withCa = await startWith({ DB_TLS_CA_BASE64: Buffer.from(db.tlsCa!).toString("base64") });
        const good = await request(`${withCa.baseUrl}/health`);
        expect(good.status, good.text).to.equal(200);

        const withoutCa = await startWith({});
        const bad = await request(`${withoutCa.baseUrl}/health`);
        expect(bad.status).to.equal(503);
        expect(JSON.parse(bad.text).checks.database.ok).to.equal(false);
    });

    it("refuses a server certificate from another CA", async () => {
        const stranger = await startMariaDb({ requireTls: true });
        try {
            const app = await startWith({ DB_TLS_CA_BASE64: Buffer.from(stranger.tlsCa!).toString("base64") });
            const reply = await request(`${app.baseUrl}/health`);
            expect(reply.status).to.equal(503);
            expect(JSON.parse(reply.text).checks.database.error).to.match(/certificate|self.signed|verify/i);
        } finally {
            await stranger.destroy();
        }
    });

    describe("a server whose certificate, from the same CA, names another host", () => {
        let impostor: MariaDb;
        before(async () => { impostor = await startMariaDb({ requireTls: true, certifiedName: "DNS:other-db.example.internal,IP:127.0.0.2" }); });
        after(async () => { await impostor.destroy(); });
        it("the app reports the database down, saying whose certificate it got", async () => {
            const app = await startApp({
                DB_HOST: impostor.host, DB_PORT: String(impostor.port), DB_NAME: account.database, DB_USER: account.user,
                DB_PASSWORD: account.password, APP_VERSION: "tls-test", SHARED_DIR: sharedDir,
                DB_TLS_CA_BASE64: Buffer.from(impostor.tlsCa!).toString("base64"),
            });
            apps.push(app);
            const reply = await request(`${app.baseUrl}/health`);
            expect(reply.status).to.equal(503);
            expect(JSON.parse(reply.text).checks.database.error).to.match(/TLS certificate is not for localhost/);
        });
    });

    it("stops start-up on a DB_TLS_CA_BASE64 that is not a certificate", async () => {
        let error: unknown;
        try {
            await startWith({ DB_TLS_CA_BASE64: Buffer.from("not a certificate").toString("base64") });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.match(/DB_TLS_CA_BASE64 must be a base64-encoded PEM/);
    });
});
