import * as net from "net";

/**
 * A TCP proxy on 127.0.0.1 that can turn into a black hole, as a network partition or a failover
 * to another machine looks to a client: after cut(), nothing passes in either direction and nothing
 * is closed, on the connections open then and on new ones. heal() lets NEW connections through
 * again; the ones that were open stay stranded for good (their peer is gone, no RST ever comes).
 */
export interface BlackholeProxy {
    port: number;
    cut(): void;
    heal(): void;
    close(): Promise<void>;
}

export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
    const sockets = new Set<net.Socket>();
    /** Connections opened while passing; a cut strands them all. */
    let open: { stranded: boolean }[] = [];
    let passing = true;

    const track = (socket: net.Socket): void => {
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
    };
    const server = net.createServer((client) => {
        track(client);
        if (!passing) return; // accepted, then silence
        const link = { stranded: false };
        open.push(link);
        const target = net.connect(targetPort, "127.0.0.1");
        track(target);
        client.on("data", (chunk) => { if (!link.stranded) target.write(chunk); });
        target.on("data", (chunk) => { if (!link.stranded) client.write(chunk); });
        const closeOther = (other: net.Socket) => () => { if (!link.stranded) other.destroy(); };
        client.on("close", closeOther(target));
        target.on("close", closeOther(client));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        cut() {
            passing = false;
            for (const link of open) link.stranded = true;
            open = [];
        },
        heal() { passing = true; },
        close: () => new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolve());
        }),
    };
}
