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
import { lingerLimits } from "../../app/src/linger";
import { createNoteStore, NoteStore } from "../../app/src/notes";
import { run } from "../../local/run";
import { createAccount, databaseEnv, migrate } from "../support/appDatabase";
import { freePort, MariaDb, startMariaDb } from "../support/mariadb";
import { request as httpRequest } from "../../local/http/probe";
import { AppProcess, serverScript, startApp } from "../support/appProcess";
import {
    acceptableStatus, crashTargets, exchange, exchangeInPieces, getRequest, hostileRequest, NoteRequest, noteRequest, noteRequestPieces,
    RawAnswer, requestBytes, uploadLarge,
} from "../support/hostileHttp";

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
    let notes: NoteStore;
    let sharedDir: string;

    const listen = async (options: Parameters<typeof createServer>[0]): Promise<void> => {
        server = createServer(options);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
    };
    const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

    before(() => {
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hostile-"));
        const config = loadConfig({ ...appEnv, PORT: "1", SHARED_DIR: sharedDir });
        health = createHealth(config);
        notes = createNoteStore(config.database);
    });
    after(async () => {
        await health.close();
        await notes.close();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers 2,000 generated requests, never with a server error, and logs JSON lines only", async () => {
        // With the opt-in request log on, so every request that reaches the handler writes a line to check.
        await listen({ version: "hostile", health, notes, isDraining: () => false, logRequests: true });
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
        await listen({ version: "hostile", health: failingHealth, notes, isDraining: () => false });
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
            expect((await httpRequest(`${app.baseUrl}/ping`)).status).to.equal(200);
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
        expect((await httpRequest(`${app.baseUrl}/ping`)).status).to.equal(200);
        expectJsonLines(app.lines);
        expect(app.lines.join("\n")).not.to.include("hostile-test-secret");
    });
});

/** Reads the app's resident memory: now, and the peak since the last resetPeak(). */
const memoryOf = (pid: number) => {
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return {
        residentMiB: () => kib("VmRSS") / 1024,
        peakMiB: () => kib("VmHWM") / 1024,
        // Writing 5 to clear_refs resets the peak (VmHWM) to the current size (Linux proc(5)).
        resetPeak: () => fs.writeFileSync(`/proc/${pid}/clear_refs`, "5"),
    };
};

/** What the notes API may answer to a generated request, the database being up. */
function expectedNoteStatuses(request: NoteRequest): number[] {
    const standard = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].includes(request.method);
    const path = request.target.split("?")[0];
    // Node's parser refuses methods it does not know (400); the ones it knows and no route takes get 405.
    // After that 400 Node destroys the socket at once (lib/_http_server.js socketOnError: write, then
    // destroy), so a client still sending a body may meet the reset before the answer (seen once in
    // about 30 runs: a 900 KB chunked body in two writes). Behind nginx (bodies up to 64 KiB, sent
    // whole) the 400 arrived 40 times of 40 at 60 kB.
    const parserRefusal = request.body.length > 0 ? [400, 0] : [400];
    const otherMethod = standard ? [405] : [...parserRefusal, 405];
    if (path === "/api/notes") {
        if (request.method !== "POST") return otherMethod;
        if (request.body.length === 0) return [400];
        if (request.body.length <= 1024) return [201];
        // After refusing a body the app reads on for lingerLimits.bytes more (counted from the refusal:
        // none of a body with Content-Length was read before it), so a client whose whole body fits in
        // that always reads its 413; one that sends more may meet the connection's reset first.
        return request.body.length <= lingerLimits.bytes ? [413] : [413, 0];
    }
    if (request.method === "GET" || request.method === "HEAD") return [200, 404];
    return otherMethod;
}

describe("the notes API (real process, real MariaDB) under generated bodies, sizes, methods and chunking", function () {
    this.timeout(180_000);
    const account = { database: "hostile_notes", user: "hostile_notes", password: "hostile-notes-secret" };
    let db: MariaDb;
    let app: AppProcess;
    let sharedDir: string;

    before(async () => {
        db = await startMariaDb();
        await createAccount(db, account);
        expect((await migrate(databaseEnv(db, account))).code).to.equal(0);
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hostile-"));
        app = await startApp({ ...databaseEnv(db, account), APP_VERSION: "hostile", SHARED_DIR: sharedDir });
    });
    after(async () => {
        await app.stop();
        await db.destroy();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers 500 generated requests as the API says, every 201 reads back byte for byte, and the process stays up", async () => {
        const memory = memoryOf(app.child.pid!);
        const before = memory.residentMiB();
        await fc.assert(fc.asyncProperty(noteRequest, async (request) => {
            const answer = await exchangeInPieces(app.port, noteRequestPieces(request));
            const expected = expectedNoteStatuses(request);
            const described = `${request.method} ${request.target}, ${request.body.length} bytes ${request.framing.kind}: ${answer.text.slice(0, 200)}`;
            expect(expected, described).to.include(answer.status);
            if (answer.status === 405) expect(answer.text, described).to.match(/\r\nAllow: (POST|GET, HEAD)\r\n/);
            if (answer.status === 413) expect(answer.text, described).to.match(/\r\nConnection: close\r\n/);
            if (answer.status === 201) {
                const { id } = JSON.parse(answer.text.slice(answer.text.indexOf("\r\n\r\n") + 4)) as { id: number };
                const back = await httpRequest(`${app.baseUrl}/api/notes/${id}`);
                expect(back.body.equals(request.body), `note ${id} reads back as stored`).to.equal(true);
            }
        // No shrinking: a failure here is reported with its seed and request at once; shrinking
        // bodies of up to 600 KB, a request at a time, outlasted the test's timeout and hid it.
        }), { numRuns: 500, endOnFailure: true });
        expect(app.child.exitCode).to.equal(null);
        expect((await httpRequest(`${app.baseUrl}/ping`)).status).to.equal(200);
        expectJsonLines(app.lines);
        expect(app.lines.join("\n")).not.to.include(account.password);
        expect(memory.residentMiB() - before, "resident memory growth, MiB").to.be.below(64);
    });

    it("keeps memory bounded under 40 concurrent 8 MiB uploads, answering each 413 or closing it cleanly", async () => {
        const memory = memoryOf(app.child.pid!);
        const before = memory.residentMiB();
        memory.resetPeak();
        const uploads: Promise<RawAnswer>[] = [];
        for (let i = 0; i < 40; i += 1) {
            const chunkedFraming = i % 2 === 0;
            const framing = chunkedFraming ? "Transfer-Encoding: chunked" : `Content-Length: ${8 * 1024 * 1024}`;
            uploads.push(uploadLarge(app.port, `POST /api/notes HTTP/1.1\r\nHost: notes.test\r\n${framing}\r\n\r\n`, 8 * 1024 * 1024, chunkedFraming));
        }
        const answers = await Promise.all(uploads);
        // 320 MiB offered: an app that buffered bodies would peak far above this (measured: ~13 MiB).
        expect(memory.peakMiB() - before, "peak resident memory growth, MiB").to.be.below(64);
        // Past the linger budget the app cuts the connection; a client still writing may see that reset first.
        for (const answer of answers) expect([0, 413]).to.include(answer.status);
        expect(app.child.exitCode).to.equal(null);
        expect((await httpRequest(`${app.baseUrl}/api/notes`, { method: "POST", body: Buffer.from("still writing") })).status).to.equal(201);
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
