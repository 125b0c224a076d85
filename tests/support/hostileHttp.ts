import fc from "fast-check";
import * as net from "net";
import { parseRequestTarget } from "../../app/src/requestTarget";

/**
 * Raw HTTP/1.x exchanges for hostile-input tests: requests are bytes (a client may send anything),
 * answers are whatever comes back before the server closes the connection.
 */
export interface RawAnswer {
    /** The status code of the first response line, or 0 when the server closed (or reset) without answering. */
    status: number;
    /** Everything the server sent, as latin1 text. */
    text: string;
}

/** Longest a test waits for one answer; a server that takes longer has failed to answer. */
const answerTimeoutMs = 5_000;

/**
 * Opens a fresh loopback connection, lets `send` write the request, and collects the answer until
 * the server closes it (requests here end with `Connection: close` or are HTTP/1.0). The write side
 * stays open: nginx reads a client's early close as an abort.
 */
function openExchange(port: number, localAddress: string, send: (socket: net.Socket) => void): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = net.connect({ host: "127.0.0.1", port, localAddress });
        socket.setTimeout(answerTimeoutMs, () => socket.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)));
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        // A server may reset once it has answered (it stops reading a request it refused): what it sent
        // counts, and a reset before any answer is status 0, a close without an answer.
        socket.on("error", (error: NodeJS.ErrnoException) => {
            if (chunks.length === 0 && error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
        });
        socket.on("close", () => {
            const text = Buffer.concat(chunks).toString("latin1");
            resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text });
        });
        send(socket);
    });
}

/** Sends `request` on a fresh loopback connection and collects the answer. */
export function exchange(port: number, request: Buffer | string, localAddress = "127.0.0.1"): Promise<RawAnswer> {
    return exchangeInPieces(port, [typeof request === "string" ? Buffer.from(request, "latin1") : request], localAddress);
}

/** As exchange, the request written piece by piece a millisecond apart (separate TCP segments), as slow clients send. */
export function exchangeInPieces(port: number, pieces: Buffer[], localAddress = "127.0.0.1"): Promise<RawAnswer> {
    return openExchange(port, localAddress, (socket) => {
        const writeFrom = (index: number): void => {
            if (index >= pieces.length || socket.destroyed) return;
            socket.write(pieces[index]);
            if (index + 1 < pieces.length) setTimeout(() => writeFrom(index + 1), 1);
        };
        writeFrom(0);
    });
}

/** The requests from issue 8 that crashed the app or slipped past nginx, verbatim. */
export const crashTargets = ["//x:99999/", "//[/", "//%zz/", "//@/"];

export interface HostileRequest {
    method: string;
    target: string;
    headers: [string, string][];
    body: Uint8Array;
    /** The path the app routes on when the target is well-formed (literal split at `?`). */
    path: string | undefined;
}

// Framing headers are the test's own (Host, Content-Length, Connection: close), so every request
// is complete and ends its connection; a generated one could only make a request wait for bytes.
const framingHeaders = new Set(["host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "te", "trailer"]);

/** Bytes a client may put in a target: anything but the request line's own separators (space, CR, LF). */
const targetChar = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(..."/?#%@:[]=&.;,~!$'()*+-_abcxyzAZ09") },
    { weight: 1, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
);
/** Bytes Node's parser refuses in a target (controls, >= 0x80): one of them in a fifth of the targets. */
const rareByte = fc.oneof(
    fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom("\x00", "\t", "\x7f", "\x1b"),
);
const targetTail = fc.oneof(
    { weight: 4, arbitrary: fc.array(targetChar, { maxLength: 60 }).map((chars) => chars.join("")) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 20 }), rareByte, fc.string({ maxLength: 20 })).map((parts) => parts.join("")) },
);

/** Request targets around the ones that broke the app: `//host...`, absolute-form, `*`, routes with noise. */
export const hostileTarget: fc.Arbitrary<string> = fc.oneof(
    targetTail.map((tail) => `/${tail}`),
    targetTail.map((tail) => `//${tail}`),
    fc.tuple(fc.constantFrom("/", "/ping", "/health", "/version", "//ping", "//x/health", "/./health", "/%2e/health"), targetTail)
        .map(([route, tail]) => `${route}${tail.startsWith("/") || tail === "" ? "" : "?"}${tail}`),
    targetTail.map((tail) => `http://x${tail}`),
    fc.constantFrom("*", "", "%", "?", "@", ...crashTargets),
    targetTail,
);

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const headerValue = fc.array(fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xff }),
    fc.constant(0x09),
), { maxLength: 80 }).map((codes) => String.fromCharCode(...codes));

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
    method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE") },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_-]{1,10}$/) },
    ),
    target: hostileTarget,
    headers: fc.array(fc.tuple(token.filter((name) => !framingHeaders.has(name.toLowerCase())), headerValue), { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 2048 }),
}).map((r) => {
    const target = parseRequestTarget(r.target);
    return { ...r, path: target.ok ? target.path : undefined };
});

/** The bytes of a generated request: HTTP/1.1, complete, with `Connection: close`. */
export function requestBytes(request: HostileRequest): Buffer {
    const head = [
        `${request.method} ${request.target} HTTP/1.1`,
        "Host: hostile.test",
        ...request.headers.map(([name, value]) => `${name}: ${value}`),
        ...(request.body.length > 0 ? [`Content-Length: ${request.body.length}`] : []),
        "Connection: close",
        "",
        "",
    ].join("\r\n");
    return Buffer.concat([Buffer.from(head, "latin1"), request.body]);
}

/** A GET of `target` as the issue sent it. */
export function getRequest(target: string, version = "HTTP/1.1", host: string | undefined = "hostile.test"): string {
    return [`GET ${target} ${version}`, ...(host === undefined ? [] : [`Host: ${host}`]), "Connection: close", "", ""].join("\r\n");
}

/** Only a malformed request may be refused, and never with a server error; /health's 503 is its own report. */
export function acceptableStatus(request: HostileRequest, status: number): boolean {
    return status >= 100 && (status < 500 || (request.path === "/health" && status === 503));
}

/** A request to the notes API: the method, path, body size and framing a client may choose. */
export interface NoteRequest {
    method: string;
    target: string;
    body: Buffer;
    /** How the body travels: Content-Length, or chunked with these chunk sizes (cycled). */
    framing: { kind: "length" } | { kind: "chunked"; chunkSizes: number[] };
    /** Where the request's bytes are cut into separate writes, as fractions of its length. */
    cuts: number[];
}

/** Sizes around the limit (1024) and well past it (and past the app's linger budget, 256 KiB). */
const noteSize = fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 1024 }) },
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 1023, 1024, 1025, 1026) },
    { weight: 1, arbitrary: fc.integer({ min: 1025, max: 600_000 }) },
);

export const noteRequest: fc.Arbitrary<NoteRequest> = fc.record({
    method: fc.oneof(
        { weight: 8, arbitrary: fc.constant("POST") },
        { weight: 4, arbitrary: fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS") },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z]{1,10}$/) },
    ),
    target: fc.oneof(
        { weight: 4, arbitrary: fc.constant("/api/notes") },
        { weight: 1, arbitrary: fc.constantFrom("/api/notes?x=1", "/api/notes/", "/api/notes/1", "/api/notes/0", "/api/notes/x") },
    ),
    // Any bytes, not only UTF-8: a pattern repeated to the size, so big bodies cost little to generate.
    body: fc.tuple(noteSize, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([size, pattern]) =>
        Buffer.alloc(size, Buffer.from(pattern))),
    framing: fc.oneof(
        fc.constant({ kind: "length" as const }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 }).map((chunkSizes) => ({ kind: "chunked" as const, chunkSizes })),
    ),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
});

/** The request's bytes, HTTP/1.1 with `Connection: close`, cut into the writes it asks for. */
export function noteRequestPieces(request: NoteRequest): Buffer[] {
    const framing = request.framing.kind === "length" ? `Content-Length: ${request.body.length}` : "Transfer-Encoding: chunked";
    const head = Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\nHost: notes.test\r\n${framing}\r\nConnection: close\r\n\r\n`, "latin1");
    const body = request.framing.kind === "length" ? request.body : chunked(request.body, request.framing.chunkSizes);
    const bytes = Buffer.concat([head, body]);
    const offsets = [...new Set(request.cuts.map((cut) => Math.floor(cut * bytes.length)))].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
    return [0, ...offsets].map((start, i) => bytes.subarray(start, offsets[i] ?? bytes.length));
}

function chunked(body: Buffer, chunkSizes: number[]): Buffer {
    const parts: Buffer[] = [];
    for (let offset = 0, i = 0; offset < body.length; i += 1) {
        const piece = body.subarray(offset, offset + chunkSizes[i % chunkSizes.length]);
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
        offset += piece.length;
    }
    parts.push(Buffer.from("0\r\n\r\n"));
    return Buffer.concat(parts);
}

/**
 * Streams a body of `totalBytes` after `head` (64 KiB writes, waiting whenever the socket is full)
 * until it is all sent or the server closes: what a client uploading far past the limit does.
 */
export function uploadLarge(port: number, head: string, totalBytes: number, chunkedFraming: boolean): Promise<RawAnswer> {
    const piece = Buffer.alloc(64 * 1024, 0x7a);
    const framed = chunkedFraming ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece;
    return openExchange(port, "127.0.0.1", (socket) => {
        let sent = 0;
        const pump = (): void => {
            while (sent < totalBytes && !socket.destroyed) {
                sent += piece.length;
                if (!socket.write(framed)) {
                    socket.once("drain", pump);
                    return;
                }
            }
            if (sent >= totalBytes && chunkedFraming && !socket.destroyed) socket.write("0\r\n\r\n");
        };
        socket.write(head);
        pump();
    });
}
