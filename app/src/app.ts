import * as http from "http";
import { Duplex } from "stream";
import { Health } from "./health";
import { clientText, errorFields, logEvent } from "./log";
import { parseRequestTarget } from "./requestTarget";

export interface AppOptions {
    version: string;
    health: Health;
    /** True once shutdown began: responses then close their connection so draining finishes. */
    isDraining(): boolean;
    /**
     * One JSON line per request (LOG_REQUESTS=true). Off by default: nginx's access log already
     * records every request with its upstream and timings, and a second line per request costs the
     * app and Docker's log driver more CPU than answering it.
     */
    logRequests?: boolean;
}

type Reply = { status: number; body: Buffer; contentType: string };
type Handler = () => Reply | Promise<Reply>;

const plainText = "text/plain; charset=utf-8";
const text = (status: number, body: string): Reply => ({ status, body: Buffer.from(body), contentType: plainText });
const json = (status: number, value: unknown): Reply => ({ status, body: Buffer.from(JSON.stringify(value)), contentType: "application/json" });

// Fixed answers are built once: the request path allocates nothing a bare server would not.
const notFound = text(404, "not found");
const methodNotAllowed = text(405, "method not allowed");
const badTarget = text(400, "bad request target");
const internalError = text(500, "internal error");
const ignore = (): void => undefined;

/** The routes, built once per server. `/` and `/ping` never touch the database, so they keep answering while it is down. */
function routeTable(options: AppOptions): ReadonlyMap<string, Handler> {
    const hello = text(200, "hello world");
    const pong = text(200, "pong");
    const version = text(200, options.version);
    return new Map<string, Handler>([
        ["/", () => hello],
        ["/ping", () => pong],
        ["/version", () => version],
        ["/health", async () => {
            const report = await options.health.report();
            return json(report.status === "ok" ? 200 : 503, report);
        }],
    ]);
}

/**
 * Every request gets an answer and no request can end the process: whatever goes wrong while one
 * request is handled is logged as one JSON line and answered with a 500 (or, once the response has
 * started, by closing that connection).
 */
export function createHandler(options: AppOptions): http.RequestListener {
    const routes = routeTable(options);

    const send = (req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void => {
        const headers = ["X-App-Version", options.version, "Content-Type", reply.contentType, "Content-Length", String(reply.body.length)];
        if (options.isDraining()) headers.push("Connection", "close");
        res.writeHead(reply.status, headers);
        res.end(req.method === "HEAD" ? undefined : reply.body);
    };

    const fail = (req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void => {
        const target = parseRequestTarget(req.url);
        logEvent("request_failed", { method: clientText(req.method), path: clientText(target.ok ? target.path : req.url), ...errorFields(error) });
        try {
            if (res.headersSent) res.destroy();
            else send(req, res, internalError);
        } catch {
            res.destroy();
        }
    };

    /** The reply for a request whose body has been read: synchronous for every route but /health. */
    const answer = (req: http.IncomingMessage, res: http.ServerResponse): void => {
        try {
            const target = parseRequestTarget(req.url);
            const handler = target.ok ? routes.get(target.path) : undefined;
            const method = req.method;
            const reply = !target.ok ? badTarget
                : !handler ? notFound
                    : method !== "GET" && method !== "HEAD" ? methodNotAllowed
                        : handler();
            if (reply instanceof Promise) {
                reply.then((r) => send(req, res, r), (error: unknown) => fail(req, res, error));
            } else {
                send(req, res, reply);
            }
        } catch (error) {
            fail(req, res, error);
        }
    };

    return (req, res) => {
        try {
            if (options.logRequests) logWhenClosed(req, res);
            // A client that goes away mid-request: nothing left to answer, and no reason to crash.
            req.on("error", ignore);
            res.on("error", ignore);
            // Answer only after the request body is read: the keep-alive connection stays reusable, and
            // a request still uploading when SIGTERM arrives counts as in flight and is finished.
            req.once("end", () => answer(req, res));
            req.resume();
        } catch (error) {
            fail(req, res, error);
        }
    };
}

/** The opt-in request log line: path only (query strings are not ours to log), no headers (credentials). */
function logWhenClosed(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    res.once("close", () => {
        const target = parseRequestTarget(req.url);
        logEvent("request", {
            method: clientText(req.method),
            path: clientText(target.ok ? target.path : req.url),
            status: res.statusCode,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            completed: res.writableFinished,
            remote: req.socket.remoteAddress,
        });
    });
}

/**
 * The app's HTTP server. CONNECT and Upgrade requests are not the request event's: without a
 * listener Node drops their connection unanswered, so they get a 405/400 like any refused request.
 */
export function createServer(options: AppOptions): http.Server {
    const server = http.createServer(createHandler(options));
    const refuse = (status: number, reason: string) => (req: http.IncomingMessage, socket: Duplex) => {
        logEvent("request", { method: clientText(req.method), path: clientText(req.url), status, completed: true, remote: req.socket.remoteAddress });
        socket.on("error", () => undefined);
        socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    server.on("connect", refuse(405, "Method Not Allowed"));
    server.on("upgrade", refuse(400, "Bad Request"));
    return server;
}
