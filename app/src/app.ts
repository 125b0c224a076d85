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
}

type Reply = { status: number; body: string; contentType: string };
type Routes = ReadonlyMap<string, () => Reply | Promise<Reply>>;

const text = (status: number, body: string): Reply => ({ status, body, contentType: "text/plain; charset=utf-8" });
const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value), contentType: "application/json" });

/** The routes, built once per server. `/` and `/ping` never touch the database, so they keep answering while it is down. */
function routeTable(options: AppOptions): Routes {
    return new Map<string, () => Reply | Promise<Reply>>([
        ["/", () => text(200, "hello world")],
        ["/ping", () => text(200, "pong")],
        ["/version", () => text(200, options.version)],
        ["/health", async () => {
            const report = await options.health.report();
            return json(report.status === "ok" ? 200 : 503, report);
        }],
    ]);
}

async function route(routes: Routes, method: string, path: string): Promise<Reply> {
    const handler = routes.get(path);
    if (!handler) return text(404, "not found");
    if (method !== "GET" && method !== "HEAD") return text(405, "method not allowed");
    return handler();
}

/**
 * Every request gets an answer and no request can end the process: whatever goes wrong while one
 * request is handled is logged as one JSON line and answered with a 500 (or, once the response has
 * started, by closing that connection).
 */
export function createHandler(options: AppOptions): http.RequestListener {
    const routes = routeTable(options);

    const send = (req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void => {
        res.setHeader("X-App-Version", options.version);
        res.setHeader("Content-Type", reply.contentType);
        res.setHeader("Content-Length", Buffer.byteLength(reply.body));
        if (options.isDraining()) res.setHeader("Connection", "close");
        res.writeHead(reply.status);
        res.end(req.method === "HEAD" ? undefined : reply.body);
    };

    const fail = (req: http.IncomingMessage, res: http.ServerResponse, loggedPath: string | undefined, error: unknown): void => {
        logEvent("request_failed", { method: req.method, path: loggedPath, ...errorFields(error) });
        try {
            if (res.headersSent) res.destroy();
            else send(req, res, text(500, "internal error"));
        } catch {
            res.destroy();
        }
    };

    return (req, res) => {
        const started = process.hrtime.bigint();
        const target = parseRequestTarget(req.url);
        // Path only: query strings are not ours to log. No headers either (they may carry credentials).
        const loggedPath = clientText(target.ok ? target.path : req.url);
        try {
            res.once("close", () => {
                logEvent("request", {
                    method: clientText(req.method),
                    path: loggedPath,
                    status: res.statusCode,
                    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
                    completed: res.writableFinished,
                    remote: req.socket.remoteAddress,
                });
            });
            // A client that goes away mid-request: nothing left to answer, and no reason to crash.
            req.on("error", () => undefined);
            res.on("error", () => undefined);
            // Answer only after the request body is read: the keep-alive connection stays reusable, and
            // a request still uploading when SIGTERM arrives counts as in flight and is finished.
            req.resume();
            req.once("end", () => {
                const reply = target.ok ? route(routes, req.method ?? "GET", target.path) : Promise.resolve(text(400, "bad request target"));
                reply
                    .then((answer) => send(req, res, answer))
                    .catch((error: unknown) => fail(req, res, loggedPath, error));
            });
        } catch (error) {
            fail(req, res, loggedPath, error);
        }
    };
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
