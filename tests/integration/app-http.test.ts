import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { run } from "../../local/run";
import { request } from "../../local/http/probe";
import { AppProcess, serverScript, startApp } from "../support/appProcess";

// No database on this port: the routes under test must not need one.
const unreachableDatabase = { DB_HOST: "127.0.0.1", DB_PORT: "9", DB_NAME: "app", DB_USER: "app", DB_PASSWORD: "not-logged-secret" };

describe("app over real HTTP", () => {
    let app: AppProcess;
    let sharedDir: string;

    before(async () => {
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-shared-"));
        app = await startApp({ ...unreachableDatabase, APP_VERSION: "1.2.3-test", SHARED_DIR: sharedDir });
    });
    after(async () => {
        await app.stop();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers / with hello world and /ping with pong, as plain text", async () => {
        const root = await request(`${app.baseUrl}/`);
        const ping = await request(`${app.baseUrl}/ping`);
        expect([root.status, root.text]).to.deep.equal([200, "hello world"]);
        expect([ping.status, ping.text]).to.deep.equal([200, "pong"]);
        expect(ping.headers["content-type"]).to.match(/^text\/plain/);
    });

    it("reports the build version on /version and in X-App-Version on every response", async () => {
        const version = await request(`${app.baseUrl}/version`);
        const missing = await request(`${app.baseUrl}/no-such-page`);
        expect([version.status, version.text]).to.deep.equal([200, "1.2.3-test"]);
        expect(version.headers["x-app-version"]).to.equal("1.2.3-test");
        expect(missing.status).to.equal(404);
        expect(missing.headers["x-app-version"]).to.equal("1.2.3-test");
    });

    it("keeps idle connections longer than nginx's 60 s upstream keep-alive", async () => {
        const agent = new http.Agent({ keepAlive: true });
        const ping = await request(`${app.baseUrl}/ping`, { agent });
        agent.destroy();
        const timeout = Number(/timeout=(\d+)/.exec(String(ping.headers["keep-alive"]))?.[1]);
        expect(timeout).to.be.greaterThan(60);
    });

    it("writes no line per request by default: nginx's access log has them", async () => {
        await request(`${app.baseUrl}/ping`);
        await request(`${app.baseUrl}/no-such-page`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(app.lines.map((l) => (JSON.parse(l) as { event: string }).event)).to.not.include("request");
        expect(app.lines.map((l) => (JSON.parse(l) as { event: string }).event)).to.include("listening");
    });

    it("logs one JSON line per request with LOG_REQUESTS=true, without secrets", async () => {
        const logging = await startApp({ ...unreachableDatabase, APP_VERSION: "1.2.3-test", SHARED_DIR: sharedDir, LOG_REQUESTS: "true" });
        try {
            await request(`${logging.baseUrl}/ping?probe=log-test`);
            const line = await logging.waitForLine('"path":"/ping"');
            const entry = JSON.parse(line) as Record<string, unknown>;
            expect(entry).to.include({ event: "request", method: "GET", path: "/ping", status: 200 });
            await request(`${logging.baseUrl}/health`);
            await logging.waitForLine('"path":"/health"');
            expect(logging.lines.join("\n")).not.to.include("not-logged-secret").and.not.to.include("log-test");
            for (const logged of logging.lines) expect(() => JSON.parse(logged) as unknown).not.to.throw();
        } finally {
            await logging.stop();
        }
    });
});

describe("app start-up configuration", () => {
    const start = (env: Record<string, string>) =>
        run("node", [serverScript], { env: { PORT: "", APP_VERSION: "", DB_PASSWORD: "", DB_PASSWORD_FILE: "", SHARED_DIR: "", DB_HOST: "", DB_NAME: "", DB_USER: "", ...env } });
    const complete = { ...unreachableDatabase, PORT: "1", APP_VERSION: "v", SHARED_DIR: "/tmp" };

    it("stops with exit code 1 and names every missing variable", async () => {
        const result = await start({});
        expect(result.code).to.equal(1);
        for (const name of ["PORT", "APP_VERSION", "DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD", "SHARED_DIR"]) {
            expect(result.stderr).to.include(name);
        }
    });

    it("rejects a malformed PORT, a SHUTDOWN_TIMEOUT_MS beyond the stop grace period and a LOG_REQUESTS that is not a boolean", async () => {
        const result = await start({ ...complete, PORT: "80a", SHUTDOWN_TIMEOUT_MS: "25000", LOG_REQUESTS: "yes" });
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include('PORT must be an integer 1-65535, got "80a"');
        expect(result.stderr).to.include("SHUTDOWN_TIMEOUT_MS");
        expect(result.stderr).to.include('LOG_REQUESTS must be true or false, got "yes"');
    });

    it("names an unreadable DB_PASSWORD_FILE without printing any password", async () => {
        const result = await start({ ...complete, DB_PASSWORD_FILE: "/nonexistent/db-password" });
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include("DB_PASSWORD_FILE /nonexistent/db-password cannot be read");
        expect(result.stderr + result.stdout).not.to.include("not-logged-secret");
    });
});
