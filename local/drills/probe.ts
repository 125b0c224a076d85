import * as http from "http";
import { loadBalancer } from "../stack/stackLayout";

export interface ProbeResponse {
    status: number;
    version?: string;
    /** nginx's X-Served-By: the host that answered. */
    servedBy?: string;
    body: string;
}

/** One request through the load balancer on a fresh connection. */
export function probe(pathname: string): Promise<ProbeResponse> {
    return new Promise((resolve) => {
        const req = http.get(`${loadBalancer.url}${pathname}`, { agent: false }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({
                status: res.statusCode ?? 0,
                version: res.headers["x-app-version"] as string | undefined,
                servedBy: res.headers["x-served-by"] as string | undefined,
                body,
            }));
        });
        req.setTimeout(5000, () => req.destroy(new Error("timeout")));
        req.on("error", (error) => resolve({ status: 0, body: error.message }));
    });
}

/** The hosts that answered `count` fresh requests to / with 200. */
export async function hostsServing(count: number): Promise<Set<string>> {
    const hosts = new Set<string>();
    for (let i = 0; i < count; i++) {
        const response = await probe("/");
        if (response.status === 200 && response.servedBy) hosts.add(response.servedBy);
    }
    return hosts;
}

/** The versions `count` fresh requests to / see (round robin reaches every host in rotation). */
export async function versionsServed(count: number): Promise<Set<string>> {
    const versions = new Set<string>();
    for (let i = 0; i < count; i++) {
        const response = await probe("/");
        versions.add(response.status === 200 ? response.version ?? "no version header" : `HTTP ${response.status}`);
    }
    return versions;
}

export interface TimedAnswer {
    /** 0 when there was no HTTP answer (see error). */
    status: number;
    ms: number;
    body: string;
    error?: string;
}

/** One GET straight at a loopback port (an app colour, a host's nginx), timed. */
export function timedGet(port: number, pathname: string, timeoutMs: number): Promise<TimedAnswer> {
    const started = Date.now();
    return new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: pathname, agent: false }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started, body }));
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", (error: NodeJS.ErrnoException) =>
            resolve({ status: 0, ms: Date.now() - started, body: "", error: error.code ?? error.message }));
    });
}
