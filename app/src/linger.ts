import * as http from "http";

/**
 * How long, and for how many more bytes, a refused request's connection reads on before it is cut:
 * enough for nginx to finish writing any body it forwards (client_max_body_size 64k in
 * files/nginx-site.conf) and read the answer, little enough that 40 such clients cost ~10 MiB.
 */
export const lingerLimits = { ms: 2_000, bytes: 256 * 1024 };

/**
 * Closes the connection of a request whose body is refused, as RFC 9112 section 9.6 asks: answer,
 * half-close, and keep reading (and discarding) for a while. Closing at once while body bytes still
 * arrive makes the kernel send a reset, and a client still writing its body then often loses the
 * answer (measured here: about half of 40 clients streaming 8 MiB saw a reset, not the 413).
 * Node's server ends a `Connection: close` response with `socket.destroySoon()` (end, then destroy
 * once the end is written: lib/_http_server.js `resOnFinish`, lib/net.js), so this connection gets
 * its own: end, then destroy after `ms`, or at once past `bytes` more. Nothing read is kept.
 */
export function lingerAfterRefusal(req: http.IncomingMessage, limits = lingerLimits): void {
    const socket = req.socket;
    let discarded = 0;
    req.on("data", (chunk: Buffer) => {
        discarded += chunk.length;
        if (discarded > limits.bytes) socket.destroy();
    });
    req.resume();
    socket.destroySoon = () => {
        socket.end();
        const timer = setTimeout(() => socket.destroy(), limits.ms);
        socket.once("close", () => clearTimeout(timer));
    };
}
