import * as http from "http";
import { AddressInfo } from "net";

/**
 * A loopback stand-in for the load balancer: answers /ping as the host `answer(n)` picks for the n-th
 * request, naming it as nginx does (its name, and its machine: `instance`, by default `i-<host>`).
 */
export async function pingSite(answer: (n: number) => { host: string; instance?: string; status: number }): Promise<{ url: string; close: () => Promise<void> }> {
    let n = 0;
    const server = http.createServer((_req, res) => {
        const { host, instance, status } = answer(n++);
        res.writeHead(status, { "x-served-by": host, "x-served-by-instance": instance ?? `i-${host}` }).end("pong");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
