import { expect } from "chai";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { removeContainer, waitFor } from "../../local/stack/containers";
import { baseImages, buildImage, ensureBaseImages } from "../../local/stack/images";
import { docker, dockerBinary, dockerOk, run, RunResult } from "../../local/run";
import { HttpReply, request as httpRequest } from "../../local/http/probe";
import { createAccount, databaseEnv } from "../support/appDatabase";
import { requireDockerEngine } from "../support/dockerEngine";
import { makeServerCertificates } from "../../local/stack/certificates";
import { freePort, MariaDb, startMariaDb } from "../support/mariadb";

const appDir = path.join(__dirname, "..", "..", "examples", "python-app");
const tag = `ha-web/python-app:test-${process.pid}`;
const containerPrefix = `ha-web-python-app-test-${process.pid}`;
const version = "python-test-1";
const account = { database: "python_app", user: "python_app", password: randomBytes(12).toString("hex") };
const apiKey = `api-key-${randomBytes(16).toString("hex")}`;
// The bound README.md states for a request that needs a database that is down.
const databaseDownBoundMs = 3000;

/** One request on a fresh connection to the app's loopback port. */
function request(port: number, method: string, target: string, body?: string): Promise<HttpReply> {
    return httpRequest(`http://127.0.0.1:${port}${target}`, { method, body: body === undefined ? undefined : Buffer.from(body) });
}

/** Raw bytes in, the raw answer out (until the server closes the connection). */
class RawConnection {
    private readonly socket: net.Socket;
    readonly answer: Promise<string>;

    constructor(port: number, bytes: string) {
        this.socket = net.connect(port, "127.0.0.1");
        this.socket.write(bytes);
        this.answer = new Promise((resolve, reject) => {
            let raw = "";
            this.socket.setEncoding("utf8");
            this.socket.on("data", (chunk: string) => { raw += chunk; });
            this.socket.on("end", () => resolve(raw));
            this.socket.on("error", reject);
        });
    }

    send(bytes: string): void {
        this.socket.write(bytes);
    }
}

/** A POST whose body is still uploading: the server is answering it until the rest arrives. */
function slowVisit(port: number): RawConnection {
    return new RawConnection(port, "POST /api/visits HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nhalf-");
}

/**
 * The example app (examples/python-app) as the hosts run it: its image built on a Debian 12 base, its
 * migration run in a one-off container, its server on the host network, both with the platform's
 * environment, against a MariaDB that requires verified TLS.
 */
describe("example Python app (examples/python-app)", function () {
    this.timeout(300_000);
    let db: MariaDb;
    const outputs: string[] = [];
    const containers: string[] = [];

    /** The platform's variables for the app; values reach docker through its environment, never its command line. */
    const appEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
        HOST: "127.0.0.1", PORT: "0", SHARED_DIR: "/tmp", SHUTDOWN_TIMEOUT_MS: "10000",
        ...databaseEnv(db, account), GREETING: "hello", API_KEY: apiKey, ...overrides,
    });
    const envArgs = (env: Record<string, string>) => Object.keys(env).flatMap((name) => ["-e", name]);

    const migrate = async (env = appEnv(), extraArgs: string[] = []): Promise<RunResult> => {
        const result = await run(dockerBinary, ["run", "--rm", "--network", "host", ...envArgs(env), ...extraArgs,
            tag, "sh", "-c", "python3 migrate.py"], { env });
        outputs.push(result.stdout, result.stderr);
        return result;
    };

    /** Starts the server container on a free port and waits for /ping. */
    const startServer = async (name: string, overrides: Record<string, string> = {}): Promise<number> => {
        const port = await freePort();
        const env = appEnv({ PORT: String(port), ...overrides });
        containers.push(name);
        await removeContainer(name);
        await docker(["run", "-d", "--name", name, "--init", "--network", "host", ...envArgs(env), tag], { env });
        await waitFor(`${name} to answer /ping`, 30, () => request(port, "GET", "/ping").then((a) => a.status === 200, () => false));
        return port;
    };
    const logsOf = async (name: string): Promise<string> => {
        const result = await run(dockerBinary, ["logs", name]);
        return result.stdout + result.stderr;
    };
    const exitOf = async (name: string): Promise<number> => Number((await docker(["wait", name])).trim());
    const appTables = async (): Promise<{ tables: string[]; migrations: string[] }> => {
        const admin = await mysql.createConnection({
            host: db.host, port: db.port, user: db.adminUser, password: db.adminPassword, database: account.database, ssl: { ca: db.tlsCa },
        });
        try {
            const [tables] = await admin.query("SHOW TABLES") as [Array<Record<string, string>>, unknown];
            const [migrations] = await admin.query("SELECT name FROM python_app_migrations ORDER BY name") as [Array<{ name: string }>, unknown];
            return { tables: tables.map((row) => Object.values(row)[0]).sort(), migrations: migrations.map((row) => row.name) };
        } finally {
            await admin.end();
        }
    };

    before(async () => {
        await requireDockerEngine();
        await ensureBaseImages();
        const started = Date.now();
        await buildImage({ tag, context: appDir, buildArgs: { BASE_IMAGE: baseImages.node, APP_VERSION: version } });
        const size = Number(await docker(["image", "inspect", "--format", "{{.Size}}", tag]));
        console.log(`      built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${(size / 1e6).toFixed(0)} MB`);

        db = await startMariaDb({ requireTls: true });
        await createAccount(db, account);
    });
    after(async () => {
        for (const name of containers) await removeContainer(name);
        await dockerOk(["image", "rm", tag]);
        await db?.destroy();
    });

    it("runs as uid 1000, the user the hosts' shared folder is writable for", async () => {
        expect((await docker(["run", "--rm", tag, "id", "-u"])).trim()).to.equal("1000");
    });

    it("migrate.py creates the visits table, and a second run applies nothing", async () => {
        const first = await migrate();
        expect(first.code, first.stderr).to.equal(0);
        expect(first.stdout).to.equal("migrate: applied 001_create_visits.sql\n");
        const second = await migrate();
        expect(second.code, second.stderr).to.equal(0);
        expect(second.stdout).to.equal("migrate: nothing to apply (1 applied before)\n");
        expect(await appTables()).to.deep.equal({ tables: ["python_app_migrations", "visits"], migrations: ["001_create_visits.sql"] });
    });

    it("a failing migration exits 1 naming its file, and the files after it wait", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-python-migrations-"));
        try {
            fs.copyFileSync(path.join(appDir, "migrations", "001_create_visits.sql"), path.join(dir, "001_create_visits.sql"));
            fs.writeFileSync(path.join(dir, "002_broken.sql"), "ALTER TABLE no_such_table ADD COLUMN x INT;\n");
            fs.writeFileSync(path.join(dir, "003_after.sql"), "CREATE TABLE after_broken (id INT);\n");
            // The container's user (uid 1000) reads them.
            fs.chmodSync(dir, 0o755);
            for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o644);
            const result = await migrate(appEnv(), ["-v", `${dir}:/app/migrations:ro`]);
            expect(result.code).to.equal(1);
            expect(result.stderr).to.match(/^migrate: failed: 002_broken\.sql failed: .*no_such_table/m);
            expect(await appTables()).to.deep.equal({ tables: ["python_app_migrations", "visits"], migrations: ["001_create_visits.sql"] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("verifies the database's certificate: another CA, or a name it does not certify, is refused", async () => {
        const strangerDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-python-ca-"));
        try {
            const strangerCa = await makeServerCertificates(strangerDir, "localhost", "DNS:localhost");
            const otherCa = await migrate(appEnv({ DB_TLS_CA_BASE64: Buffer.from(strangerCa).toString("base64") }));
            expect(otherCa.code).to.equal(1);
            expect(otherCa.stderr).to.match(/CERTIFICATE_VERIFY_FAILED/);
            // The certificate names localhost only.
            const byAddress = await migrate(appEnv({ DB_HOST: "127.0.0.1" }));
            expect(byAddress.code).to.equal(1);
            expect(byAddress.stderr).to.match(/CERTIFICATE_VERIFY_FAILED.*(IP address mismatch|doesn't match)/);
        } finally {
            fs.rmSync(strangerDir, { recursive: true, force: true });
        }
    });

    it("refuses to start without the database's CA, saying which variable is missing", async () => {
        const result = await migrate(appEnv({ DB_TLS_CA_BASE64: "" }));
        expect(result.code).to.equal(1);
        expect(result.stderr).to.equal("migrate: failed: DB_TLS_CA_BASE64 not set: ha-web sets every DB_* variable; set them yourself to run the app elsewhere\n");
    });

    describe("the server", () => {
        let port: number;
        const answers: HttpReply[] = [];
        const ask = async (method: string, target: string, body?: string): Promise<HttpReply> => {
            const answer = await request(port, method, target, body);
            answers.push(answer);
            return answer;
        };

        before(async () => { port = await startServer(`${containerPrefix}-server`); });

        it("answers /ping without the database and /healthz (its appHealthPath) after asking it", async () => {
            const ping = await ask("GET", "/ping");
            expect([ping.status, ping.text]).to.deep.equal([200, "pong\n"]);
            const health = await ask("GET", "/healthz");
            expect([health.status, JSON.parse(health.text)]).to.deep.equal([200, { database: "ok" }]);
        });

        it("says hello with GREETING from appEnv", async () => {
            const hello = await ask("GET", "/");
            expect([hello.status, hello.text]).to.deep.equal([200, "hello from python: hello\n"]);
        });

        it("proves API_KEY from appSecrets arrived by its sha256 prefix, never its value", async () => {
            const key = await ask("GET", "/api/key");
            expect([key.status, JSON.parse(key.text)]).to.deep.equal([200, { set: true, sha256_prefix: createHash("sha256").update(apiKey).digest("hex").slice(0, 8) }]);
        });

        it("records visits: POST answers 201 with the id, GET reads it back, an unknown id is a 404", async () => {
            const created = await ask("POST", "/api/visits", "from the test");
            expect(created.status, created.text).to.equal(201);
            const { id } = JSON.parse(created.text) as { id: number };
            expect(id).to.be.a("number");
            const read = await ask("GET", `/api/visits/${id}`);
            expect([read.status, JSON.parse(read.text)]).to.deep.equal([200, { id, note: "from the test" }]);
            expect((await ask("GET", `/api/visits/${id + 1000}`)).status).to.equal(404);
        });

        it("refuses a body over 1 KiB (413), another method (405 with Allow) and an unknown path (404)", async () => {
            expect((await ask("POST", "/api/visits", "x".repeat(1024))).status).to.equal(201);
            expect((await ask("POST", "/api/visits", "x".repeat(1025))).status).to.equal(413);
            const wrongMethod = await ask("DELETE", "/api/visits/1");
            expect([wrongMethod.status, wrongMethod.headers.allow]).to.deep.equal([405, "GET"]);
            expect((await ask("PUT", "/")).status).to.equal(405);
            expect((await ask("GET", "/nothing-here")).status).to.equal(404);
        });

        it("puts X-App-Version on every answer, http.server's own 400 for a malformed request included", async () => {
            const malformed = await new RawConnection(port, "GET / two-targets HTTP/1.1\r\n\r\n").answer;
            expect(malformed).to.match(/^HTTP\/1\.1 400 /);
            expect(malformed).to.match(new RegExp(`\r\nX-App-Version: ${version}\r\n`));
            expect(answers.length).to.be.greaterThan(10);
            for (const answer of answers) expect(answer.headers["x-app-version"], `${answer.status} ${answer.text}`).to.equal(version);
        });

        it("answers /healthz and writes with 503 within 3 s while the database is down, and recovers without a restart", async () => {
            await db.stop();
            try {
                for (const [method, target] of [["GET", "/healthz"], ["POST", "/api/visits"], ["GET", "/api/visits/1"]]) {
                    const started = Date.now();
                    const answer = await ask(method, target);
                    expect(answer.status, `${method} ${target}`).to.equal(503);
                    expect(Date.now() - started, `${method} ${target}`).to.be.below(databaseDownBoundMs);
                }
                expect((await ask("GET", "/ping")).status).to.equal(200);
                expect((await ask("GET", "/")).status).to.equal(200);
            } finally {
                await db.start();
            }
            expect((await ask("GET", "/healthz")).status).to.equal(200);
            expect((await ask("POST", "/api/visits", "after the outage")).status).to.equal(201);
        });

        it("answers /healthz and writes with 503 within 3 s when the database accepts connections but never answers", async () => {
            const held: net.Socket[] = [];
            const silent = net.createServer((socket) => { held.push(socket); });
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            try {
                const hungPort = await startServer(`${containerPrefix}-silent-db`, { DB_PORT: String((silent.address() as net.AddressInfo).port) });
                for (const [method, target] of [["GET", "/healthz"], ["POST", "/api/visits"]]) {
                    const started = Date.now();
                    const answer = await request(hungPort, method, target);
                    expect(answer.status, `${method} ${target}`).to.equal(503);
                    expect(Date.now() - started, `${method} ${target}`).to.be.below(databaseDownBoundMs);
                }
                expect(held.length).to.be.greaterThan(0);
            } finally {
                for (const socket of held) socket.destroy();
                silent.close();
            }
        });

        it("never shows API_KEY's value in an answer or a log line", async () => {
            outputs.push(await logsOf(`${containerPrefix}-server`));
            const seen = [...answers.map((a) => JSON.stringify(a)), ...outputs].join("\n");
            expect(seen).to.contain("sha256_prefix");
            expect(seen).not.to.contain(apiKey);
            expect(seen).not.to.contain(account.password);
        });

        it("on SIGTERM refuses new connections, finishes the request in flight with Connection: close, and exits 0", async () => {
            const name = `${containerPrefix}-server`;
            const upload = slowVisit(port);
            // Answered after the upload's headers arrived: the server is handling both.
            expect((await ask("GET", "/ping")).status).to.equal(200);

            await docker(["kill", "--signal", "TERM", name]);
            await waitFor("new connections to be refused", 5, () => request(port, "GET", "/ping").then(() => false, () => true));
            upload.send("visit");
            const answer = await upload.answer;
            expect(answer).to.match(/^HTTP\/1\.1 201 /);
            expect(answer).to.match(/\r\nConnection: close\r\n/);
            const finished = Date.now();
            expect(await exitOf(name)).to.equal(0);
            expect(Date.now() - finished).to.be.below(2000);
            expect(await logsOf(name)).to.contain("python-app: drained, exiting");
        });

        it("exits 0 once SHUTDOWN_TIMEOUT_MS has passed when a request never finishes", async () => {
            const name = `${containerPrefix}-stuck`;
            const stuckPort = await startServer(name, { SHUTDOWN_TIMEOUT_MS: "1000" });
            const upload = slowVisit(stuckPort);
            expect((await request(stuckPort, "GET", "/ping")).status).to.equal(200);
            const signalled = Date.now();
            await docker(["kill", "--signal", "TERM", name]);
            expect(await exitOf(name)).to.equal(0);
            expect(Date.now() - signalled).to.be.within(1000, 3000);
            expect(await logsOf(name)).to.contain("requests still in flight when the time ran out");
            // Cut, never answered: the connection ends or is reset.
            expect(await upload.answer.catch((error: NodeJS.ErrnoException) => error.code)).to.be.oneOf(["", "ECONNRESET"]);
        });
    });
});
