import * as http from "http";

/**
 * A request body read with a size limit, keeping at most `limit` bytes of it:
 * - complete: the whole body, at most `limit` bytes;
 * - tooLarge: Content-Length says more than `limit` (nothing is read), or a body without one
 *   (chunked) passed `limit` (reading stopped at that chunk); the caller answers 413 and closes
 *   the connection, since the rest of the body is still on it;
 * - aborted: the client went away before the end; nothing to answer.
 */
export type BodyResult = { kind: "complete"; bytes: Buffer } | { kind: "tooLarge" } | { kind: "aborted" };

export function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult> {
    // Node's parser has already refused a malformed or repeated Content-Length (400).
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ kind: "tooLarge" });

    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const settle = (result: BodyResult): void => {
            req.off("data", onData);
            req.off("end", onEnd);
            req.off("close", onClose);
            resolve(result);
        };
        const onData = (chunk: Buffer): void => {
            size += chunk.length;
            if (size > limit) {
                req.pause();
                settle({ kind: "tooLarge" });
            } else {
                chunks.push(chunk);
            }
        };
        const onEnd = (): void => settle({ kind: "complete", bytes: Buffer.concat(chunks, size) });
        // 'close' before 'end': the connection was lost mid-body (errors are ignored by the handler).
        const onClose = (): void => settle({ kind: "aborted" });
        req.on("data", onData);
        req.once("end", onEnd);
        req.once("close", onClose);
    });
}
