import * as http from "http";
import { Sample } from "./sample";

export interface LoadOptions {
    /** Only ever http://127.0.0.1:<port>: the drills never send traffic off this machine. */
    baseUrl: string;
    /** Each client cycles through these paths. */
    paths: string[];
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

/**
 * Continuous load like real users: some clients hold keep-alive connections (as browsers do through
 * an ALB), others open a fresh connection per request. Every request is recorded.
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

    const client = async (connection: Sample["connection"]) => {
        const agent = connection === "keep-alive" ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
        for (let i = 0; keepGoing(); i++) {
            samples.push(await request(targets[i % targets.length], agent, connection, options.requestTimeoutMs));
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

function request(target: URL, agent: http.Agent | undefined, connection: Sample["connection"], timeoutMs: number): Promise<Sample> {
    const sentAt = Date.now();
    const started = process.hrtime.bigint();
    const latency = () => Number(process.hrtime.bigint() - started) / 1e6;
    return new Promise((resolve) => {
        const failed = (error: Error) => resolve({ sentAt, connection, path: target.pathname, latencyMs: latency(), status: 0, error: error.message });
        const req = http.get(target, { agent: agent ?? false, headers: agent ? {} : { Connection: "close" } }, (res) => {
            res.resume();
            res.on("end", () => resolve({
                sentAt, connection, path: target.pathname, latencyMs: latency(), status: res.statusCode ?? 0,
                version: header(res.headers["x-app-version"]),
            }));
            res.on("error", failed);
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
        req.on("error", failed);
    });
}

function header(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
}
