import * as http from "http";
import * as https from "https";

/**
 * The one HTTP client of the tests, the drills and the local stack's checks: one request, its answer
 * read to the end and timed. Two ways to take a failure: `request` rejects when no HTTP answer came
 * (a test that expects one fails on it), `probe` returns it as status 0 (a drill or a status check
 * counts it). The load generator keeps its own hot path (local/load/loadGenerator.ts).
 */
export interface RequestOptions {
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    /** One Buffer is sent with its Content-Length; a list with Transfer-Encoding: chunked, one HTTP chunk per element. */
    body?: Buffer | Buffer[];
    /** false (the default): a fresh connection, so a load balancer may pick any host; or a keep-alive agent. */
    agent?: http.Agent | false;
    /** Gives up (no answer) after this long; by default waits as long as the connection lives. */
    timeoutMs?: number;
}

export interface HttpReply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    /** The body as UTF-8 text. */
    text: string;
    /** From sending to the end of the body. */
    ms: number;
}

export interface ProbeReply extends HttpReply {
    /** Why there was no HTTP answer (status 0): the socket's error code, such as ECONNREFUSED, or the message. */
    error?: string;
}

/** One request; rejects when no HTTP answer came (socket error, timeout). */
export function request(url: string | URL, options: RequestOptions = {}): Promise<HttpReply> {
    const { method = "GET", headers = {}, body, agent = false, timeoutMs } = options;
    const client = new URL(url).protocol === "https:" ? https : http;
    const chunked = Array.isArray(body);
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = client.request(url, {
            method, agent,
            headers: { ...(body && !chunked ? { "Content-Length": body.length } : {}), ...headers },
        }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
                const all = Buffer.concat(chunks);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString("utf8"), ms: Date.now() - started });
            });
            res.on("error", reject);
        });
        if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", reject);
        for (const chunk of chunked ? body : body ? [body] : []) req.write(chunk);
        req.end();
    });
}

/** One request that never rejects: no HTTP answer is status 0, with the reason in `error`. */
export async function probe(url: string | URL, options: RequestOptions = {}): Promise<ProbeReply> {
    const started = Date.now();
    return request(url, options).catch((error: NodeJS.ErrnoException) => ({
        status: 0, headers: {}, body: Buffer.alloc(0), text: "", ms: Date.now() - started, error: error.code ?? error.message,
    }));
}

/** A header's single value (nginx's X-Served-By, the app's X-App-Version), or undefined. */
export function headerValue(reply: HttpReply, name: string): string | undefined {
    const value = reply.headers[name.toLowerCase()];
    return typeof value === "string" ? value : undefined;
}
