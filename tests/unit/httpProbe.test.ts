import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { headerValue, probe, request } from "../../local/http/probe";

/** A loopback server that echoes what it got: method, framing and body; /slow never answers. */
async function echoServer(): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
        if (req.url === "/slow") return;
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => res.writeHead(201, { "x-app-version": "v7" }).end(JSON.stringify({
            method: req.method, chunked: req.headers["transfer-encoding"] === "chunked", body: Buffer.concat(chunks).toString(),
        })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}

describe("the HTTP probe (local/http/probe.ts)", () => {
    let server: Awaited<ReturnType<typeof echoServer>>;
    before(async () => { server = await echoServer(); });
    after(async () => server.close());

    it("returns status, headers, the body as bytes and text, and the time taken", async () => {
        const reply = await request(`${server.url}/notes`, { method: "POST", body: Buffer.from("héllo") });
        expect(reply.status).to.equal(201);
        expect(headerValue(reply, "X-App-Version")).to.equal("v7");
        expect(JSON.parse(reply.text)).to.deep.equal({ method: "POST", chunked: false, body: "héllo" });
        expect(reply.body.equals(Buffer.from(reply.text))).to.equal(true);
        expect(reply.ms).to.be.at.least(0);
    });

    it("sends a list of buffers chunked", async () => {
        const reply = await request(server.url, { method: "PUT", body: [Buffer.from("a"), Buffer.from("b")] });
        expect(JSON.parse(reply.text)).to.deep.equal({ method: "PUT", chunked: true, body: "ab" });
    });

    it("request rejects when no answer comes in time; probe returns it as status 0 with the reason", async () => {
        const error = await request(`${server.url}/slow`, { timeoutMs: 100 }).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.equal("no answer within 100 ms");
        const slow = await probe(`${server.url}/slow`, { timeoutMs: 100 });
        expect([slow.status, slow.error]).to.deep.equal([0, "no answer within 100 ms"]);
        expect(slow.ms).to.be.at.least(100);
    });

    it("probe names a refused connection by its code", async () => {
        const closed = await echoServer();
        await closed.close();
        const refused = await probe(closed.url);
        expect([refused.status, refused.error]).to.deep.equal([0, "ECONNREFUSED"]);
    });
});
