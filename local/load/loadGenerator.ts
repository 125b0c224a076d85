import * as http from "http";
import { Sample } from "./sample";

export interface LoadOptions {
    /** Only ever http://127.0.0.1:<port>: the drills never send traffic off this machine. */
    baseUrl: string;
    /** Each client cycles through these paths... */
    paths: string[];
    /** ...and, when on, a write after them: POST /api/notes with a text of its own. */
    writes: boolean;
    keepAliveClients: number;
    freshConnectionClients: number;
    /** Pause between a client's requests, so the load leaves CPU for the deploys it runs beside. */
    pauseMs: number;
    /** Hard bounds: the load stops by itself even if nobody calls stop(). */
    maxSeconds: number;
    maxRequests: number;
    /** A client gives up on a request after this long (a drill of hosts that stop answering waits longer than the LB). */
    requestTimeoutMs: number;
}

export const defaultLoad: Omit<LoadOptions, "baseUrl" | "paths"> = {
    writes: true,
    keepAliveClients: 4,
    freshConnectionClients: 1,
    pauseMs: 20,
    maxSeconds: 600,
    maxRequests: 2_000_000,
    requestTimeoutMs: 15_000,
};

export interface RunningLoad {
    /** Stops sending, waits for requests in flight, returns every sample. */
    stop(): Promise<Sample[]>;
    /** Samples so far (a live view). */
    samples: Sample[];
}

/** Where the sample app takes writes (app/src): POST a text, 201 {"id": n}; GET <path>/<id> reads it back. */
export const notesPath = "/api/notes";

/**
 * Continuous load like real users: some clients hold keep-alive connections (as browsers do through
 * an ALB), others open a fresh connection per request; reads and writes. Every request is recorded.
 */
export function startLoad(options: LoadOptions): RunningLoad {
    const targets = options.paths.map((p) => new URL(p, options.baseUrl));
    const offMachine = targets.find((t) => t.hostname !== "127.0.0.1");
    if (offMachine) {
        throw new Error(`load may only target 127.0.0.1, not ${offMachine.hostname}`);
    }
    const samples: Sample[] = [];
    const deadline = Date.now() + options.maxSeconds * 1000;
    let stopping = false;
    const keepGoing = () => !stopping && Date.now() < deadline && samples.length < options.maxRequests;

    // Unique per run and write, so a note read back can only be the one this write created.
    const runTag = `${process.pid}-${Date.now().toString(36)}`;
    let written = 0;
    const cycle = targets.length + (options.writes ? 1 : 0);
    const client = async (connection: Sample["connection"]) => {
        const agent = connection === "keep-alive" ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
        for (let i = 0; keepGoing(); i++) {
            const target = targets[i % cycle];
            samples.push(target
                ? await request({ target, method: "GET" }, agent, connection, options.requestTimeoutMs)
                : await request({ target: new URL(notesPath, options.baseUrl), method: "POST", text: `note ${runTag}-${++written}` }, agent, connection, options.requestTimeoutMs));
            await new Promise((r) => setTimeout(r, options.pauseMs));
        }
        agent?.destroy();
    };
    const clients = [
        ...Array.from({ length: options.keepAliveClients }, () => client("keep-alive")),
        ...Array.from({ length: options.freshConnectionClients }, () => client("fresh")),
    ];
    return {
        samples,
        async stop() {
            stopping = true;
            await Promise.all(clients);
            return samples;
        },
    };
}

type Request = { target: URL; method: "GET" } | { target: URL; method: "POST"; text: string };

function request(req: Request, agent: http.Agent | undefined, connection: Sample["connection"], timeoutMs: number): Promise<Sample> {
    const sentAt = Date.now();
    const started = process.hrtime.bigint();
    const base = { sentAt, connection, method: req.method, path: req.target.pathname };
    const write = req.method === "POST" ? { text: req.text } : undefined;
    const latency = () => Number(process.hrtime.bigint() - started) / 1e6;
    return new Promise((resolve) => {
        const failed = (error: Error) => resolve({ ...base, write, latencyMs: latency(), status: 0, error: error.message });
        const headers: http.OutgoingHttpHeaders = agent ? {} : { Connection: "close" };
        if (write) headers["Content-Type"] = "text/plain; charset=utf-8";
        const outgoing = http.request(req.target, { method: req.method, agent: agent ?? false, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({
                ...base, latencyMs: latency(), status: res.statusCode ?? 0, version: header(res.headers["x-app-version"]),
                write: write && { ...write, id: res.statusCode === 201 ? acknowledgedId(Buffer.concat(chunks)) : undefined },
            }));
            res.on("error", failed);
        });
        outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error("timeout")));
        outgoing.on("error", failed);
        outgoing.end(write?.text);
    });
}

/** The id of a 201's `{"id": n}`; a 201 without one is still counted as acknowledged, with id -1 (never readable). */
function acknowledgedId(body: Buffer): number {
    try {
        const id = (JSON.parse(body.toString("utf8")) as { id?: unknown }).id;
        return typeof id === "number" && Number.isSafeInteger(id) ? id : -1;
    } catch {
        return -1;
    }
}

function header(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
}
