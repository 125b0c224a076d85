import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import { nginxLimits } from "../../components/plan/hostConfigFiles";
import { liveSwitchSettleSeconds } from "../../components/plan/liveSwitch";
import { probe, request } from "../../local/http/probe";
import { acceptableStatus, crashTargets, exchange, getRequest, hostileRequest, requestBytes } from "../support/hostileHttp";
import { NginxHost, startNginxHost } from "../support/nginxHost";
import { run } from "../../local/run";

/** Every access-log line must be valid UTF-8 and parse as JSON, whatever the clients sent. */
function expectCleanLog(lines: string[]): void {
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    for (const line of lines) {
        const text = utf8.decode(Buffer.from(line, "latin1"));
        expect(() => JSON.parse(text) as unknown, line).not.to.throw();
    }
}

describe("nginx site (real nginx in front of the real app)", function () {
    this.timeout(300_000);
    let host: NginxHost;
    const getFrom = (urlPath: string, headers: http.OutgoingHttpHeaders = {}) => request(`http://127.0.0.1:${host.port}${urlPath}`, { headers });

    // Only 127.0.0.1 stands for the load balancer, as in the local stack: 127.0.0.2 is a client.
    before(async () => { host = await startNginxHost("127.0.0.1/32"); });
    after(async () => { if (host) await host.stop(); });

    it("passes nginx -t", async () => {
        const result = await run("nginx", ["-t", "-c", host.paths.nginxMainConfig]);
        expect(result.code, result.stderr).to.equal(0);
    });

    it("proxies / and /ping to the app", async () => {
        expect(await getFrom("/")).to.include({ status: 200 });
        const ping = await getFrom("/ping");
        expect(ping.status).to.equal(200);
        // The platform's view of any app: a status and the version header, never the sample's text.
        expect(ping.headers["x-app-version"]).to.be.a("string").and.not.equal("");
    });

    it("names no version (server_tokens off)", async () => {
        const answer = await getFrom("/no-such-page");
        expect(answer.headers.server).to.equal("nginx");
        expect((await exchange(host.port, getRequest("/%"))).text).not.to.match(/nginx\/\d/);
    });

    it("sends HSTS on answers to requests the load balancer took over HTTPS only (X-Forwarded-Proto), errors included", async () => {
        for (const urlPath of ["/ping", "/no-such-page", "/health"]) {
            expect((await getFrom(urlPath, { "X-Forwarded-Proto": "https" })).headers["strict-transport-security"], urlPath).to.equal("max-age=31536000");
            expect((await getFrom(urlPath, { "X-Forwarded-Proto": "http" })).headers, urlPath).not.to.have.property("strict-transport-security");
            expect((await getFrom(urlPath)).headers, urlPath).not.to.have.property("strict-transport-security");
        }
    });

    it("does not expose /health, however the path is spelled", async () => {
        for (const target of ["/health", "/health?x=1", "//health", "/./health", "/%68ealth", "/x/../health", "//x/health"]) {
            const answer = await exchange(host.port, getRequest(target));
            expect(answer.status, target).to.be.within(400, 499);
            expect(answer.text, target).not.to.include("checks");
        }
    });

    it("answers HTTP/1.0 without a Host header (the app needs one from nginx)", async () => {
        const answer = await exchange(host.port, getRequest("/", "HTTP/1.0", undefined));
        expect(answer.status).to.equal(200);
        expect(answer.text).to.match(/\r\nX-App-Version: \S+\r\n/i);
    });

    it("answers the requests that crashed the app with 400, and both colours stay up", async () => {
        for (const target of crashTargets) {
            expect((await exchange(host.port, getRequest(target))).status, target).to.equal(400);
        }
        expect(host.apps.map((app) => app.exitCode)).to.deep.equal([null, null]);
    });

    it("answers 1,000 generated hostile requests below 500; the apps stay up; the log stays UTF-8 JSON", async () => {
        await fc.assert(fc.asyncProperty(hostileRequest, async (request) => {
            const answer = await exchange(host.port, requestBytes(request));
            expect(acceptableStatus(request, answer.status) && answer.status !== 503, `${answer.status} for ${JSON.stringify(request.target)}`).to.equal(true);
        }), { numRuns: 1_000 });
        expect(host.apps.map((app) => app.exitCode)).to.deep.equal([null, null]);
        expectCleanLog(await host.flushedAccessLog());
    });

    it("logs hostile user agents and paths as valid UTF-8 JSON, without query strings", async () => {
        const before = (await host.flushedAccessLog()).length;
        const rawBytes = fc.array(fc.integer({ min: 0x20, max: 0xff }).filter((b) => b !== 0x7f), { minLength: 1, maxLength: 40 })
            .map((codes) => String.fromCharCode(...codes));
        await fc.assert(fc.asyncProperty(rawBytes, rawBytes, async (userAgent, pathBytes) => {
            const target = `/${pathBytes.replace(/[ ?#]/g, "_")}?secret=query-value`;
            await exchange(host.port, [`GET ${target} HTTP/1.1`, "Host: x", `User-Agent: ${userAgent}`, "Connection: close", "", ""].join("\r\n"));
        }), { numRuns: 300 });
        await exchange(host.port, ["GET /plain/path?secret=1 HTTP/1.1", "Host: x", "User-Agent: Mozilla/5.0 \"quoted\"", "Connection: close", "", ""].join("\r\n"));
        const lines = (await host.flushedAccessLog()).slice(before);
        expect(lines.length).to.equal(301);
        expectCleanLog(lines);
        expect(lines.join("\n")).not.to.include("secret=");
        expect(JSON.parse(lines.at(-1)!)).to.include({ path: "/plain/path", user_agent: 'Mozilla/5.0 "quoted"', client: "127.0.0.1" });
    });

    it("keeps request lines out of the error log", async () => {
        expect(host.errorLog()).not.to.include("request:");
    });

    it("limits one client address's concurrent requests; other clients keep getting answers", async () => {
        // Slow bodies from 127.0.0.2: each announces a body and sends one byte of it.
        const slow: net.Socket[] = [];
        const refused: number[] = [];
        try {
            for (let i = 0; i < nginxLimits.connectionsPerClient + 8; i++) {
                const socket = net.connect({ host: "127.0.0.1", port: host.port, localAddress: "127.0.0.2" });
                socket.on("data", (chunk: Buffer) => { if (/^HTTP\/1\.1 429/.test(chunk.toString("latin1"))) refused.push(i); });
                socket.on("error", () => undefined);
                socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx");
                slow.push(socket);
            }
            // Until nginx has answered the excess (bounded: a slow machine gets 10 s).
            for (let waited = 0; refused.length < 8 && waited < 10_000; waited += 100) {
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            await new Promise((resolve) => setTimeout(resolve, 200));
            expect(refused.length).to.equal(8);
            expect((await getFrom("/ping")).status).to.equal(200);
        } finally {
            for (const socket of slow) socket.destroy();
        }
    });

    it("fails the load balancer's health check while the drain flag exists, and serves every other request", async () => {
        const checker = { "user-agent": "ELB-HealthChecker/2.0" };
        fs.writeFileSync(host.paths.drainFlag, "");
        try {
            expect((await getFrom("/ping", checker)).status).to.equal(503);
            expect((await getFrom("/ping")).status).to.equal(200);
            expect((await getFrom("/")).status).to.equal(200);
        } finally {
            fs.rmSync(host.paths.drainFlag);
        }
        expect((await getFrom("/ping", checker)).status).to.equal(200);
    });

    it("moves traffic to the other colour under keep-alive load, POSTs included, with no failed or retried request", async () => {
        // 16 keep-alive clients, alternating GET / and POST / (the app answers POST with 405: still an
        // answer from the app; a request lost in the switch would be a 502 or a socket error).
        const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
        const outcomes: string[] = [];
        let running = true;
        const client = async (i: number) => {
            while (running) {
                const method = i % 2 === 0 ? "GET" : "POST";
                const reply = await probe(`http://127.0.0.1:${host.port}/`, { method, agent, body: method === "POST" ? Buffer.from("note=1") : undefined });
                outcomes.push(`${method} ${reply.status || reply.error}`);
            }
        };
        const logBefore = (await host.flushedAccessLog()).length;
        const clients = Array.from({ length: 16 }, (_, i) => client(i));
        await new Promise((resolve) => setTimeout(resolve, 500));
        await host.switchTo("green");
        // What ha-web-deploy waits before it stops the old colour.
        await new Promise((resolve) => setTimeout(resolve, liveSwitchSettleSeconds() * 1000));
        await host.stopColour(0);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        running = false;
        await Promise.all(clients);
        agent.destroy();
        const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
        expect(Object.keys(counts).sort(), JSON.stringify(counts)).to.deep.equal(["GET 200", "POST 405"]);
        // nginx saw one upstream attempt per request, each answered: nothing reached a stopped colour.
        const entries = (await host.flushedAccessLog()).slice(logBefore).map((line) => JSON.parse(line) as { upstream: string; upstream_status: string });
        expect(entries.length).to.be.greaterThan(100);
        expect(entries.filter((e) => e.upstream.includes(",") || !["200", "405"].includes(e.upstream_status))).to.deep.equal([]);
        expect(host.errorLog()).to.equal("");
    });
});
