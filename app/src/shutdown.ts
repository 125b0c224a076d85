import * as http from "http";

/**
 * Stops accepting connections and waits for in-flight requests. `server.close()` also closes idle
 * keep-alive connections (Node >= 19); busy ones close after their response, which carries
 * `Connection: close` while draining. After `timeoutMs` the rest are cut so the process exits
 * before Docker's stop grace period ends in SIGKILL.
 */
export function drain(server: http.Server, timeoutMs: number): Promise<"drained" | "timed out"> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            server.closeAllConnections();
            resolve("timed out");
        }, timeoutMs);
        server.close(() => {
            clearTimeout(timer);
            resolve("drained");
        });
    });
}
