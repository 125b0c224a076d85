import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { createServer } from "../../app/src/app";
import { loadConfig } from "../../app/src/config";
import { createHealth, Health } from "../../app/src/health";
import { run } from "../local/run";
import { freePort } from "../support/mariadb";
import { AppProcess, get, serverScript, startApp } from "../support/appProcess";
import { acceptableStatus, crashTargets, exchange, getRequest, hostileRequest, requestBytes } from "../support/hostileHttp";

// No database on this port: /health answers 503, every other route must not care.
const appEnv = { DB_HOST: "127.0.0.1", DB_PORT: "9", DB_NAME: "app", DB_USER: "app", DB_PASSWORD: "hostile-test-secret", APP_VERSION: "hostile" };

/** Collects what the handler logs (it writes JSON lines to stdout) while `body` runs, instead of printing it. */
async function capturingLogs<T>(body: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split("\n").filter((l) => l !== ""));
        return true;
    }) as typeof process.stdout.write;
    try {
        return { value: await body(), lines };
    } finally {
        process.stdout.write = write;
    }
}

function expectJsonLines(lines: string[]): void {
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
}

describe("the app's handler in-process, under generated hostile requests", function () {
    this.timeout(120_000);
    let server: http.Server;
    let port: number;
    let health: Health;
    let sharedDir: string;

    const listen = async (options: Parameters<typeof createServer>[0]): Promise<void> => {
        server = createServer(options);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
    };
    const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

    before(() => {
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hostile-"));
        health = createHealth(loadConfig({ ...appEnv, PORT: "1", SHARED_DIR: sharedDir }));
    });
    after(async () => {
        await health.close();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers 2,000 generated requests, never with a server error, and logs JSON lines only", async () => {
        // With the opt-in request log on, so every request that reaches the handler writes a line to check.
        await listen({ version: "hostile", health, isDraining: () => false, logRequests: true });
        try {
            const { lines } = await capturingLogs(() => fc.assert(fc.asyncProperty(hostileRequest, async (request) => {
                const answer = await exchange(port, requestBytes(request));
                expect(acceptableStatus(request, answer.status), `${answer.status} for ${JSON.stringify(request.target)}`).to.equal(true);
            }), { numRuns: 2_000 }));
            // About half the requests pass Node's parser and reach the handler (it logs each one); the
            // rest are refused by the parser (400) before it. At least a quarter must reach it.
            expect(lines.length).to.be.greaterThan(500);
            expectJsonLines(lines);
        } finally {
            await close();
        }
    });

    it("turns a failure inside one request into a 500 for that request, logged as one JSON line", async () => {
        const failingHealth: Health = { report: () => Promise.reject(new Error("injected\nfailure")), close: async () => undefined };
        await listen({ version: "hostile", health: failingHealth, isDraining: () => false });
        try {
            const { value: [failed, after], lines } = await capturingLogs(async () =>
                [await exchange(port, getRequest("/health")), await exchange(port, getRequest("/ping"))]);
            expect(failed.status).to.equal(500);
            expect(after.status).to.equal(200);
            const failure = lines.map((l) => JSON.parse(l) as Record<string, string>).find((e) => e.event === "request_failed");
            expect(failure).to.include({ path: "/health", error: "Error: injected\nfailure" });
        } finally {
            await close();
        }
    });
});

describe("the running app (real process, real sockets) under hostile requests", function () {
    this.timeout(120_000);
    let app: AppProcess;
    let sharedDir: string;

    before(async () => {
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hostile-"));
        app = await startApp({ ...appEnv, SHARED_DIR: sharedDir });
    });
    after(async () => {
        await app.stop();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    // Each of these made the process exit on the code before issue 8 (new URL() threw).
    for (const target of crashTargets) {
        it(`answers GET ${target} with 400 and stays up`, async () => {
            const answer = await exchange(app.port, getRequest(target));
            expect(answer.status).to.equal(400);
            expect(app.child.exitCode).to.equal(null);
            expect((await get(`${app.baseUrl}/ping`)).status).to.equal(200);
        });
    }

    it("does not route //x/health to /health (nginx calls it /x/health)", async () => {
        const answer = await exchange(app.port, getRequest("//x/health"));
        expect(answer.status).to.equal(400);
        expect(answer.text).not.to.include("checks");
    });

    it("answers 1,000 generated requests, stays up, and every log line is JSON", async () => {
        await fc.assert(fc.asyncProperty(hostileRequest, async (request) => {
            const answer = await exchange(app.port, requestBytes(request));
            expect(acceptableStatus(request, answer.status), `${answer.status} for ${JSON.stringify(request.target)}`).to.equal(true);
        }), { numRuns: 1_000 });
        expect(app.child.exitCode).to.equal(null);
        expect((await get(`${app.baseUrl}/ping`)).status).to.equal(200);
        expectJsonLines(app.lines);
        expect(app.lines.join("\n")).not.to.include("hostile-test-secret");
    });
});

describe("the app's own crash (a bug outside request handling)", () => {
    it("is logged as one JSON line, stack included, and the process exits", async () => {
        // A fault injected into the real server process after it started listening.
        const inject = `setTimeout(() => { throw new Error("injected\\ncrash"); }, 500); require(${JSON.stringify(serverScript)});`;
        const result = await run("node", ["-e", inject], {
            env: { ...process.env, ...appEnv, PORT: String(await freePort()), HOST: "127.0.0.1", SHARED_DIR: os.tmpdir() },
        });
        expect(result.code).to.equal(70);
        expect(result.stderr).to.equal("");
        const lines = result.stdout.trim().split("\n");
        const crash = JSON.parse(lines.at(-1)!) as Record<string, string>;
        expect(crash).to.include({ event: "crashed", kind: "uncaught exception", error: "Error: injected\ncrash" });
        expect(crash.stack).to.include("injected");
        expectJsonLines(lines);
    });
});
