import { expect } from "chai";
import fc from "fast-check";
import { waitFor } from "../../local/stack/containers";
import { acceptableStatus, crashTargets, exchange, getRequest, hostileRequest, requestBytes } from "../support/hostileHttp";
import { LoadBalancerInFront, startLoadBalancerInFront } from "../support/loadBalancerInFront";
import { NginxHost, startNginxHost } from "../support/nginxHost";

/** The real haproxy with the local stack's configuration, in front of a real nginx host. */
describe("the load balancer stand-in (real haproxy -> nginx -> app) under hostile input", function () {
    this.timeout(120_000);
    let host: NginxHost;
    let loadBalancer: LoadBalancerInFront;
    let port: number;

    before(async () => {
        // 127.0.0.1/32: only the load balancer is trusted for X-Forwarded-For, as in the local stack.
        host = await startNginxHost("127.0.0.1/32");
        loadBalancer = await startLoadBalancerInFront(host);
        port = loadBalancer.port;
    });
    after(async () => {
        if (loadBalancer) await loadBalancer.stop();
        if (host) await host.stop();
    });

    const alive = () => ({ haproxy: loadBalancer.exitCode(), apps: host.apps.map((app) => app.exitCode) });

    it("appends the client's address to X-Forwarded-For, so a client cannot choose the address nginx logs", async () => {
        // haproxy's own health checks reach nginx meanwhile (from 127.0.0.1): the request is found in
        // the log by its user agent, and only once nginx has written the line, which may come after
        // haproxy has already closed the client's connection.
        const userAgent = `xff-test-${process.pid}-${Date.now()}`;
        const request = ["GET /ping HTTP/1.1", "Host: x", `User-Agent: ${userAgent}`, "X-Forwarded-For: 203.0.113.7", "Connection: close", "", ""].join("\r\n");
        expect((await exchange(port, request, "127.0.0.3")).status).to.equal(200);
        const logged = () => host.accessLog().map((line) => JSON.parse(line) as { client: string; user_agent: string })
            .filter((entry) => entry.user_agent === userAgent);
        await waitFor("the request's access log line", 5, async () => logged().length > 0);
        expect(logged().map((entry) => entry.client)).to.deep.equal(["127.0.0.3"]);
    });

    it("answers HTTP/1.0 without a Host header", async () => {
        expect((await exchange(port, getRequest("/", "HTTP/1.0", undefined))).status).to.equal(200);
    });

    it("does not expose /health", async () => {
        const answer = await exchange(port, getRequest("/health"));
        expect(answer.status).to.equal(404);
        expect(answer.text).not.to.include("checks");
    });

    it("answers the requests that crashed the app below 500, and nothing exits", async () => {
        for (const target of crashTargets) {
            const status = (await exchange(port, getRequest(target))).status;
            expect(status, target).to.be.within(400, 499);
        }
        expect(alive()).to.deep.equal({ haproxy: null, apps: [null, null] });
    });

    it("answers 1,000 generated hostile requests below 500; haproxy, nginx and the apps stay up", async () => {
        await fc.assert(fc.asyncProperty(hostileRequest, async (request) => {
            const answer = await exchange(port, requestBytes(request));
            expect(acceptableStatus(request, answer.status) && answer.status !== 503, `${answer.status} for ${JSON.stringify(request.target)}`).to.equal(true);
        }), { numRuns: 1_000 });
        expect(alive()).to.deep.equal({ haproxy: null, apps: [null, null] });
        expect((await exchange(port, getRequest("/ping"))).status).to.equal(200);
    });
});
