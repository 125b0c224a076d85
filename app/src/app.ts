import * as http from "http";
import { Health } from "./health";
import { logEvent } from "./log";

export interface AppOptions {
    version: string;
    health: Health;
    /** True once shutdown began: responses then close their connection so draining finishes. */
    isDraining(): boolean;
}

type Reply = { status: number; body: string; contentType: string };

const text = (status: number, body: string): Reply => ({ status, body, contentType: "text/plain; charset=utf-8" });
const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value), contentType: "application/json" });

/** The routes. `/` and `/ping` never touch the database, so they keep answering while it is down. */
async function route(method: string, pathname: string, options: AppOptions): Promise<Reply> {
    const routes: Record<string, () => Reply | Promise<Reply>> = {
        "/": () => text(200, "hello world"),
        "/ping": () => text(200, "pong"),
        "/version": () => text(200, options.version),
        "/health": async () => {
            const report = await options.health.report();
            return json(report.status === "ok" ? 200 : 503, report);
        },
    };
    const handler = routes[pathname];
    if (!handler) return text(404, "not found");
    if (method !== "GET" && method !== "HEAD") return text(405, "method not allowed");
    return handler();
}

export function createHandler(options: AppOptions): http.RequestListener {
    return (req, res) => {
        const started = process.hrtime.bigint();
        const pathname = new URL(req.url ?? "/", "http://app").pathname;
        res.once("close", () => {
            // Path only: query strings are not ours to log. No headers either (they may carry credentials).
            logEvent("request", {
                method: req.method,
                path: pathname,
                status: res.statusCode,
                durationMs: Number(process.hrtime.bigint() - started) / 1e6,
                completed: res.writableFinished,
                remote: req.socket.remoteAddress,
            });
        });
        // Answer only after the request body is read: the keep-alive connection stays reusable, and
        // a request still uploading when SIGTERM arrives counts as in flight and is finished.
        req.resume();
        req.once("end", () => {
            route(req.method ?? "GET", pathname, options)
                .catch((error: unknown) => {
                    logEvent("request_failed", { path: pathname, error: String(error) });
                    return text(500, "internal error");
                })
                .then((reply) => {
                    res.setHeader("X-App-Version", options.version);
                    res.setHeader("Content-Type", reply.contentType);
                    res.setHeader("Content-Length", Buffer.byteLength(reply.body));
                    if (options.isDraining()) res.setHeader("Connection", "close");
                    res.writeHead(reply.status);
                    res.end(req.method === "HEAD" ? undefined : reply.body);
                });
        });
    };
}
