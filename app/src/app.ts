import * as http from "http";
import { Duplex } from "stream";
import { readBody } from "./body";
import { Health } from "./health";
import { lingerAfterRefusal } from "./linger";
import { clientText, errorFields, logEvent } from "./log";
import { NoteStore } from "./notes";
import { notesPath, notesRoutes } from "./notesApi";
import { parseRequestTarget } from "./requestTarget";
import { Handler, json, readOnly, Reply, Route, text } from "./route";

export interface AppOptions {
    version: string;
    health: Health;
    notes: NoteStore;
    /** True once shutdown began: responses then close their connection so draining finishes. */
    isDraining(): boolean;
    /**
     * One JSON line per request (LOG_REQUESTS=true). Off by default: nginx's access log already
     * records every request with its upstream and timings, and a second line per request costs the
     * app and Docker's log driver more CPU than answering it.
     */
    logRequests?: boolean;
}

// Fixed answers are built once: the request path allocates nothing a bare server would not.
const notFound = text(404, "not found");
const badTarget = text(400, "bad request target");
const internalError = text(500, "internal error");
const noBody = Buffer.alloc(0);
const ignore = (): void => undefined;

/** Past a route's limit. The rest of the body is still on the connection, so the reply closes it (linger.ts). */
const tooLarge = (maxBody: number): Reply => ({ ...text(413, `the request body is over ${maxBody} bytes`), close: true });

type Found = { route: Route; param: string };

/**
 * The routes, built once per server. `/` and `/ping` never touch the database and answer
 * synchronously, so they keep answering while it is down.
 */
function routeTable(options: AppOptions): (path: string) => Found | undefined {
    const hello = text(200, "hello world");
    const pong = text(200, "pong");
    const version = text(200, options.version);
    const notes = notesRoutes(options.notes);
    const exact = new Map<string, Route>([
        ["/", readOnly(() => hello)],
        ["/ping", readOnly(() => pong)],
        ["/version", readOnly(() => version)],
        ["/health", readOnly(async () => {
            const report = await options.health.report();
            return json(report.status === "ok" ? 200 : 503, report);
        })],
        [notesPath, notes.collection],
    ]);
    const itemPrefix = `${notesPath}/`;
    return (path) => {
        const route = exact.get(path);
        if (route) return { route, param: "" };
        // /api/notes/<one segment>: the handler decides whether the segment is a note id.
        if (path.startsWith(itemPrefix) && !path.includes("/", itemPrefix.length)) {
            return { route: notes.item, param: path.slice(itemPrefix.length) };
        }
        return undefined;
    };
}

/**
 * Every request gets an answer and no request can end the process: whatever goes wrong while one
 * request is handled is logged as one JSON line and answered with a 500 (or, once the response has
 * started, by closing that connection).
 */
export function createHandler(options: AppOptions): http.RequestListener {
    const findRoute = routeTable(options);

    const send = (req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void => {
        const headers = ["X-App-Version", options.version, "Content-Type", reply.contentType, "Content-Length", String(reply.body.length)];
        if (reply.headers) headers.push(...reply.headers);
        if (reply.close || options.isDraining()) headers.push("Connection", "close");
        res.writeHead(reply.status, headers);
        res.end(req.method === "HEAD" ? undefined : reply.body);
    };

    const fail = (req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void => {
        logEvent("request_failed", { method: clientText(req.method), path: loggedPath(req), ...errorFields(error) });
        try {
            if (res.headersSent) res.destroy();
            else send(req, res, internalError);
        } catch {
            res.destroy();
        }
    };

    /** Sends a reply, or the 500 for a handler that threw or rejected; synchronous for every route that does not wait on something. */
    const respond = (req: http.IncomingMessage, res: http.ServerResponse, reply: () => Reply | Promise<Reply>): void => {
        try {
            const value = reply();
            if (value instanceof Promise) {
                value.then((r) => send(req, res, r), (error: unknown) => fail(req, res, error));
            } else {
                send(req, res, value);
            }
        } catch (error) {
            fail(req, res, error);
        }
    };

    /**
     * The reply for a request whose body was read and discarded: refusals, and every route that
     * takes no body. Answering only after the body is read keeps the keep-alive connection reusable,
     * and a request still uploading when SIGTERM arrives counts as in flight and is finished.
     */
    const answerAfterBody = (req: http.IncomingMessage, res: http.ServerResponse, found: Found | undefined, valid: boolean): void => {
        req.once("end", () => respond(req, res, () => {
            if (!valid) return badTarget;
            if (!found) return notFound;
            const handler = found.route.methods.get(req.method ?? "");
            return handler ? handler({ param: found.param, body: noBody }) : found.route.methodNotAllowed;
        }));
        req.resume();
    };

    /** A route that takes a body: read up to its limit, then hand it over (or 413). */
    const answerWithBody = (req: http.IncomingMessage, res: http.ServerResponse, handler: Handler, param: string, maxBody: number): void => {
        readBody(req, maxBody).then((result) => {
            if (result.kind === "aborted") return;
            if (result.kind === "tooLarge") {
                lingerAfterRefusal(req);
                respond(req, res, () => tooLarge(maxBody));
                return;
            }
            respond(req, res, () => handler({ param, body: result.bytes }));
        }, (error: unknown) => fail(req, res, error));
    };

    return (req, res) => {
        try {
            if (options.logRequests) logWhenClosed(req, res);
            // A client that goes away mid-request: nothing left to answer, and no reason to crash.
            req.on("error", ignore);
            res.on("error", ignore);
            const target = parseRequestTarget(req.url);
            const found = target.ok ? findRoute(target.path) : undefined;
            const handler = found?.route.methods.get(req.method ?? "");
            const maxBody = found?.route.maxBody;
            if (found && handler && maxBody !== undefined) {
                answerWithBody(req, res, handler, found.param, maxBody);
            } else {
                answerAfterBody(req, res, found, target.ok);
            }
        } catch (error) {
            fail(req, res, error);
        }
    };
}

/** A request's path as its log lines carry it: without the query string (not ours to log), bounded. */
function loggedPath(req: http.IncomingMessage): string | undefined {
    const target = parseRequestTarget(req.url);
    return clientText(target.ok ? target.path : req.url);
}

/** The opt-in request log line: path only (loggedPath), no headers (credentials). */
function logWhenClosed(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    res.once("close", () => {
        logEvent("request", {
            method: clientText(req.method),
            path: loggedPath(req),
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
