import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { waitForEveryHost } from "../../components/healthGate";

/** A loopback stand-in for the load balancer: answers /ping as the hosts `answer()` picks. */
async function fakeSite(answer: (n: number) => { host: string; status: number }): Promise<{ url: string; close: () => Promise<void> }> {
    let n = 0;
    const server = http.createServer((_req, res) => {
        const { host, status } = answer(n++);
        res.writeHead(status, { "x-served-by": host }).end("pong");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("health gate", () => {
    it("passes once every host has answered 200 through the load balancer", async () => {
        const site = await fakeSite((n) => ({ host: n % 2 ? "host-b" : "host-a", status: 200 }));
        try {
            const result = await waitForEveryHost({ url: site.url, hosts: ["host-a", "host-b"], timeoutSeconds: 10 });
            expect(result.seen).to.deep.equal(["host-a", "host-b"]);
        } finally {
            await site.close();
        }
    });

    it("fails, naming the host that never answered 200, when one host only errors", async () => {
        const site = await fakeSite((n) => (n % 2 ? { host: "host-b", status: 502 } : { host: "host-a", status: 200 }));
        try {
            let error: unknown;
            try {
                await waitForEveryHost({ url: site.url, hosts: ["host-a", "host-b"], timeoutSeconds: 1 });
            } catch (e) {
                error = e;
            }
            expect(String(error)).to.match(/never answered 200 from host-b within 1 s/).and.match(/host-b answered 502/);
        } finally {
            await site.close();
        }
    });
});
