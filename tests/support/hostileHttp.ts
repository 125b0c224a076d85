import fc from "fast-check";
import * as net from "net";
import { parseRequestTarget } from "../../app/src/requestTarget";

/**
 * Raw HTTP/1.x exchanges for hostile-input tests: requests are bytes (a client may send anything),
 * answers are whatever comes back before the server closes the connection.
 */
export interface RawAnswer {
    /** The status code of the first response line, or 0 when the server closed without answering. */
    status: number;
    /** Everything the server sent, as latin1 text. */
    text: string;
}

/** Longest a test waits for one answer; a server that takes longer has failed to answer. */
const answerTimeoutMs = 5_000;

/**
 * Sends `request` on a fresh loopback connection and collects the answer until the server closes
 * it (requests here end with `Connection: close` or are HTTP/1.0). The write side stays open:
 * nginx reads a client's early close as an abort.
 */
export function exchange(port: number, request: Buffer | string, localAddress = "127.0.0.1"): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = net.connect({ host: "127.0.0.1", port, localAddress });
        socket.setTimeout(answerTimeoutMs, () => socket.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)));
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        // A server may reset once it has answered (it stops reading a request it refused); what it sent counts.
        socket.on("error", (error) => (chunks.length > 0 ? undefined : reject(error)));
        socket.on("close", () => {
            const text = Buffer.concat(chunks).toString("latin1");
            resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text });
        });
        socket.write(typeof request === "string" ? Buffer.from(request, "latin1") : request);
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
