import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { request } from "../../local/http/probe";
import { AppProcess, startApp } from "../support/appProcess";
import { createAccount, databaseEnv, migrate } from "../support/appDatabase";
import { exchange } from "../support/hostileHttp";
import { BlackholeProxy, startBlackholeProxy } from "../support/blackholeProxy";
import { MariaDb, startMariaDb } from "../support/mariadb";

const account = { database: "notes_app", user: "notes_user", password: "notes-secret-71c3" };
/** The stated bound for an answer while the database is down or hangs (app/src/notes.ts), plus scheduling slack. */
const unavailableBoundMs = 3_000 + 500;

describe("the notes API against a real MariaDB", function () {
    this.timeout(60_000);
    let db: MariaDb;
    let sharedDir: string;
    let app: AppProcess;
    let notes: string;

    const post = (body: Buffer | Buffer[], headers = {}) => request(notes, { method: "POST", body, headers });
    const read = (id: string | number) => request(`${notes}/${id}`);
    const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
        const started = Date.now();
        const value = await work();
        return { value, ms: Date.now() - started };
    };
    const created = async (body: Buffer): Promise<number> => {
        const reply = await post(body);
        expect(reply.status, reply.body.toString()).to.equal(201);
        return (JSON.parse(reply.body.toString()) as { id: number }).id;
    };

    before(async () => {
        db = await startMariaDb();
        await createAccount(db, account);
        const migrated = await migrate(databaseEnv(db, account));
        expect(migrated.code, migrated.stderr).to.equal(0);
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-notes-"));
        app = await startApp({ ...databaseEnv(db, account), APP_VERSION: "notes-test", SHARED_DIR: sharedDir });
        notes = `${app.baseUrl}/api/notes`;
    });
    afterEach(async () => {
        // A test that failed with the database stopped or frozen must not break the next one.
        db.thaw();
        await db.start();
    });
    after(async () => {
        await app.stop();
        await db.destroy();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers 201 with the new id, and the note reads back with 200", async () => {
        const reply = await post(Buffer.from("first note"));
        expect(reply.status).to.equal(201);
        expect(reply.headers["content-type"]).to.equal("application/json");
        const body = JSON.parse(reply.body.toString()) as { id: number };
        expect(Object.keys(body)).to.deep.equal(["id"]);
        expect(body.id).to.be.a("number").and.to.be.greaterThan(0);
        expect(reply.headers.location).to.equal(`/api/notes/${body.id}`);

        const back = await read(body.id);
        expect(back.status).to.equal(200);
        expect(back.body.toString()).to.equal("first note");
    });

    it("stores bytes exactly: every byte value, invalid UTF-8, and exactly 1024 bytes", async () => {
        const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const invalidUtf8 = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x00, 0x0d, 0x0a, 0xf0, 0x9f, 0x98]);
        const largest = Buffer.alloc(1024, 0xa5);
        for (const bytes of [everyByte, invalidUtf8, largest, Buffer.from("'); DROP TABLE notes; --")]) {
            const back = await read(await created(bytes));
            expect(back.status).to.equal(200);
            expect(back.headers["content-type"]).to.equal("application/octet-stream");
            expect(back.body.equals(bytes), `${bytes.length} bytes read back as ${back.body.length}`).to.equal(true);
        }
    });

    it("takes a chunked body of up to 1024 bytes", async () => {
        const chunks = [Buffer.alloc(600, 0x61), Buffer.alloc(424, 0x62)];
        const reply = await post(chunks);
        expect(reply.status).to.equal(201);
        const back = await read((JSON.parse(reply.body.toString()) as { id: number }).id);
        expect(back.body.equals(Buffer.concat(chunks))).to.equal(true);
    });

    it("answers HEAD of a note with its headers and no body", async () => {
        const id = await created(Buffer.from("twelve bytes"));
        const reply = await request(`${notes}/${id}`, { method: "HEAD" });
        expect(reply.status).to.equal(200);
        expect(reply.headers["content-length"]).to.equal("12");
        expect(reply.body.length).to.equal(0);
    });

    it("answers 404 for a missing note and for anything that is not a note id", async () => {
        const missing = ["9007199254740991", "0", "01", "-1", "1.0", "1e3", "abc", "9007199254740992", "99999999999999999999", "%31", ""];
        for (const id of missing) expect((await read(id)).status, `/api/notes/${id}`).to.equal(404);
        expect((await read("1/extra")).status).to.equal(404);
    });

    it("answers 400 for an empty body, chunked or not", async () => {
        expect((await post(Buffer.alloc(0))).status).to.equal(400);
        expect((await post([])).status).to.equal(400);
    });

    it("answers 413 for Content-Length 1025, and closes the connection", async () => {
        const reply = await post(Buffer.alloc(1025, 0x41));
        expect(reply.status).to.equal(413);
        expect(reply.headers.connection).to.equal("close");
    });

    it("answers 413 from Content-Length alone, before any of the body arrives", async () => {
        // The body is never sent: an app that waited for it would not answer before exchange's timeout.
        const answer = await exchange(app.port, "POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
        expect(answer.status).to.equal(413);
        expect(answer.text).to.match(/\r\nConnection: close\r\n/i);
    });

    it("answers 413 for a chunked body past 1024 bytes, and closes the connection", async () => {
        const reply = await post([Buffer.alloc(1000, 0x41), Buffer.alloc(25, 0x42)]);
        expect(reply.status).to.equal(413);
        expect(reply.headers.connection).to.equal("close");
    });

    it("answers 413 as soon as a chunked body passes 1024 bytes, without waiting for its end", async () => {
        // One 1025-byte chunk and no last chunk: the request never completes on its own.
        const answer = await exchange(app.port, `POST /api/notes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n${"x".repeat(1025)}\r\n`);
        expect(answer.status).to.equal(413);
        expect(answer.text).to.match(/\r\nConnection: close\r\n/i);
    });

    it("answers 405 with Allow for any other method on the notes paths", async () => {
        for (const method of ["GET", "PUT", "DELETE", "PATCH", "HEAD"]) {
            const reply = await request(notes, { method });
            expect([reply.status, reply.headers.allow], `${method} /api/notes`).to.deep.equal([405, "POST"]);
        }
        for (const method of ["POST", "PUT", "DELETE"]) {
            const reply = await request(`${notes}/1`, { method, body: Buffer.from("x") });
            expect([reply.status, reply.headers.allow], `${method} /api/notes/1`).to.deep.equal([405, "GET, HEAD"]);
        }
    });

    it("answers 503 within the bound while the database is stopped, / and /ping still 200, and 201 again once it is back", async () => {
        const id = await created(Buffer.from("written before the outage"));
        await db.stop();
        const write = await timed(() => post(Buffer.from("during the outage")));
        expect(write.value.status).to.equal(503);
        expect(JSON.parse(write.value.body.toString())).to.deep.equal({ error: "database unavailable" });
        expect(write.ms).to.be.below(unavailableBoundMs);
        const readDown = await timed(() => read(id));
        expect(readDown.value.status).to.equal(503);
        expect(readDown.ms).to.be.below(unavailableBoundMs);
        expect((await request(`${app.baseUrl}/`)).status).to.equal(200);
        expect((await request(`${app.baseUrl}/ping`)).status).to.equal(200);

        await db.start();
        await created(Buffer.from("after the outage"));
        expect((await read(id)).body.toString()).to.equal("written before the outage");
        expect(app.child.exitCode).to.equal(null);
        const failure = app.lines.map((line) => JSON.parse(line) as Record<string, string>).find((e) => e.event === "database_unavailable");
        expect(failure).to.include({ operation: "add" });
        expect(failure!.error).to.include("ECONNREFUSED");
        expect(app.lines.join("\n")).not.to.include(account.password);
    });

    it("answers 503 within the bound while the database hangs, for 30 concurrent requests, and recovers when it answers again", async () => {
        await created(Buffer.from("warms the pool"));
        db.freeze();
        const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => timed(() => post(Buffer.from(`hung ${i}`)))));
        expect(replies.map((r) => r.value.status)).to.deep.equal(Array(30).fill(503));
        expect(Math.max(...replies.map((r) => r.ms))).to.be.below(unavailableBoundMs);

        db.thaw();
        await created(Buffer.from("after the hang"));
        expect(app.child.exitCode).to.equal(null);
    });

    it("writes again at once after the database restarted between requests (no dead pooled connection)", async () => {
        await Promise.all(Array.from({ length: 10 }, (_, i) => created(Buffer.from(`fills the pool ${i}`))));
        await db.stop();
        await db.start();
        await created(Buffer.from("first write after the restart"));
    });
});

describe("the notes API when the network to the database is cut and its connections are stranded", function () {
    this.timeout(60_000);
    let db: MariaDb;
    let proxy: BlackholeProxy;
    let sharedDir: string;
    let app: AppProcess;

    const post = (text: string) => request(`${app.baseUrl}/api/notes`, { method: "POST", body: Buffer.from(text) });

    before(async () => {
        db = await startMariaDb();
        await createAccount(db, account);
        expect((await migrate(databaseEnv(db, account))).code).to.equal(0);
        proxy = await startBlackholeProxy(db.port);
        sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-notes-"));
        app = await startApp({ ...databaseEnv(db, account), DB_PORT: String(proxy.port), APP_VERSION: "notes-test", SHARED_DIR: sharedDir });
    });
    after(async () => {
        await app.stop();
        await proxy.close();
        await db.destroy();
        fs.rmSync(sharedDir, { recursive: true, force: true });
    });

    it("answers 503 within the bound during the cut, and 201 on every write once new connections get through", async () => {
        // Ten pooled connections, then a cut that strands them all (as a failover to another machine does).
        const warm = await Promise.all(Array.from({ length: 10 }, (_, i) => post(`warm ${i}`)));
        expect(warm.map((r) => r.status)).to.deep.equal(Array(10).fill(201));
        proxy.cut();
        const started = Date.now();
        expect((await post("during the cut")).status).to.equal(503);
        expect(Date.now() - started).to.be.below(unavailableBoundMs);

        proxy.heal();
        // One at a time: each would meet a stranded idle connection if the pool handed them out.
        for (let i = 0; i < 12; i += 1) {
            const reply = await post(`after the cut ${i}`);
            expect(reply.status, `write ${i} after the cut: ${reply.body.toString()}`).to.equal(201);
        }
    });
});
