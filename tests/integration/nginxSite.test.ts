import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { renderNginxSite } from "../../components/plan/hostFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { get } from "../support/appProcess";
import { freePort } from "../support/mariadb";
import { mustRun, run } from "../local/run";

const appDir = path.join(__dirname, "..", "..", "app");

/** One GET to nginx on a fresh connection. */
const getFrom = (port: number, urlPath: string, headers: http.OutgoingHttpHeaders = {}) =>
    get(`http://127.0.0.1:${port}${urlPath}`, false, headers);

/** Polls until the port answers /ping with 200 (bounded). */
async function waitForApp(port: number): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
        const ok = await getFrom(port, "/ping").then((r) => r.status === 200, () => false);
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the app on port ${port} never answered /ping`);
}

/** The real app (app/dist/server.js) on a loopback port, no database (its /health answers 503).
 * APP_VERSION is baked into the image; run bare, the app needs it in its environment. */
function startApp(port: number, sharedDir: string): ChildProcess {
    return spawn("node", [path.join(appDir, "dist", "server.js")], {
        env: {
            ...process.env, PORT: String(port), HOST: "127.0.0.1", SHARED_DIR: sharedDir, APP_VERSION: "nginx-test",
            DB_HOST: "127.0.0.1", DB_PORT: "1", DB_NAME: "app", DB_USER: "app", DB_PASSWORD: "unused",
        },
        stdio: "ignore",
    });
}

function stopApp(app: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (app.exitCode !== null) return resolve();
        app.once("exit", () => resolve());
        app.kill("SIGTERM");
    });
}

describe("nginx site (real nginx in front of the real app)", function () {
    this.timeout(300_000);
    let dir: string;
    let nginxPort: number;
    let ports: { blue: number; green: number };
    let drainFlag: string;
    const apps: ChildProcess[] = [];
    let conf: string;

    before(async () => {
        if (!fs.existsSync(path.join(appDir, "dist", "server.js"))) {
            await mustRun("npm", ["--prefix", appDir, "ci", "--no-audit", "--no-fund"]);
            await mustRun("npm", ["--prefix", appDir, "run", "build"]);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-nginx-"));
        // nginx's workers run unprivileged and must see the drain flag, as on a host.
        fs.chmodSync(dir, 0o755);
        drainFlag = path.join(dir, "drained");
        nginxPort = await freePort();
        ports = { blue: await freePort(), green: await freePort() };
        const site = renderNginxSite(
            { name: "host-a", nginxPort, bluePort: ports.blue, greenPort: ports.green, sshPort: 22 },
            { listen: `127.0.0.1:${nginxPort}`, trustedProxyCidr: "127.0.0.0/8", sharedDataDir: dir, logging: { driver: "json-file", maxSizeMb: 10, maxFiles: 5 } },
            { ...hostPaths, drainFlag },
        );
        fs.writeFileSync(path.join(dir, "site.conf"), site);
        // A minimal main config around the site, as Debian's nginx.conf includes it in `http {}`.
        conf = path.join(dir, "nginx.conf");
        fs.writeFileSync(conf, [
            `pid ${dir}/nginx.pid;`,
            `error_log ${dir}/error.log;`,
            "events {}",
            "http {",
            ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path ${dir}/${t};`),
            `    include ${dir}/site.conf;`,
            "}",
        ].join("\n"));
        for (const port of [ports.blue, ports.green]) apps.push(startApp(port, dir));
        await Promise.all([ports.blue, ports.green].map(waitForApp));
        await mustRun("nginx", ["-p", dir, "-c", conf]);
    });

    after(async () => {
        if (conf) await run("nginx", ["-p", dir, "-c", conf, "-s", "quit"]);
        await Promise.all(apps.map(stopApp));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("passes nginx -t", async () => {
        const result = await run("nginx", ["-t", "-p", dir, "-c", conf]);
        expect(result.code, result.stderr).to.equal(0);
    });

    it("proxies / and /ping to the app", async () => {
        expect(await getFrom(nginxPort, "/")).to.include({ status: 200 });
        expect(await getFrom(nginxPort, "/ping")).to.deep.include({ status: 200 });
        expect((await getFrom(nginxPort, "/ping")).body).to.match(/pong/);
    });

    it("passes the app's 503 from /health through instead of retrying it", async () => {
        expect((await getFrom(nginxPort, "/health")).status).to.equal(503);
    });

    it("fails the load balancer's health check while the drain flag exists, and serves every other request", async () => {
        const checker = { "user-agent": "ELB-HealthChecker/2.0" };
        fs.writeFileSync(drainFlag, "");
        try {
            expect((await getFrom(nginxPort, "/ping", checker)).status).to.equal(503);
            expect((await getFrom(nginxPort, "/ping")).status).to.equal(200);
            expect((await getFrom(nginxPort, "/")).status).to.equal(200);
        } finally {
            fs.rmSync(drainFlag);
        }
        expect((await getFrom(nginxPort, "/ping", checker)).status).to.equal(200);
    });

    it("keeps serving every request when one colour stops, without a reload", async () => {
        await stopApp(apps[0]);
        const statuses = [];
        for (let i = 0; i < 20; i++) statuses.push((await getFrom(nginxPort, "/")).status);
        expect(statuses).to.deep.equal(Array(20).fill(200));
    });
});
