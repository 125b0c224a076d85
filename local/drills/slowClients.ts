import * as net from "net";

/**
 * Slow clients, as an attacker runs them: connections that trickle a request header or a request
 * body one byte at a time and never finish. A connection the server closes is opened again within
 * 100 ms, so the pressure lasts the whole run. Loopback only; stops by itself.
 */
export interface SlowClientPlan {
    label: string;
    /** 127.0.0.1:<port>, the load balancer or one host's nginx. */
    port: number;
    /** Another loopback address than the normal load's (127.0.0.1): the attacker is another client. */
    localAddress: string;
    kind: "header" | "body";
    connections: number;
}

export interface SlowClientCounts {
    label: string;
    /** Connections established, re-openings included. */
    opened: number;
    /** Connections the server answered 429 (too many from this address). */
    refused: number;
    /** Connections the server closed before the run ended (timeouts, refusals). */
    closedByServer: number;
    /** Connections the attacker still held when the run ended. */
    heldAtEnd: number;
    /** Socket errors (refused, reset, ...) by code, counted: an attack that could not connect shows why. */
    errors: Record<string, number>;
}

const trickleMs = 2_000;
/** Connections (re)opened per 100 ms at most, so the listen backlogs are not the test. */
const rampPerTick = 250;

const openings = {
    // A header that never ends: one more byte of a header value at every trickle.
    header: "GET / HTTP/1.1\r\nHost: slow.test\r\nX-Slow: ",
    // A body under client_max_body_size that never completes.
    body: "POST / HTTP/1.1\r\nHost: slow.test\r\nContent-Type: text/plain\r\nContent-Length: 60000\r\n\r\n",
};

export async function runSlowClients(plan: SlowClientPlan, durationMs: number): Promise<SlowClientCounts> {
    const counts: SlowClientCounts = { label: plan.label, opened: 0, refused: 0, closedByServer: 0, heldAtEnd: 0, errors: {} };
    const open = new Set<net.Socket>();
    let toOpen = plan.connections;
    let stopping = false;

    const connect = (): void => {
        const socket = net.connect({ host: "127.0.0.1", port: plan.port, localAddress: plan.localAddress });
        socket.once("connect", () => {
            counts.opened++;
            open.add(socket);
            socket.write(openings[plan.kind]);
        });
        socket.once("data", (chunk: Buffer) => { if (/^HTTP\/1\.[01] 429/.test(chunk.toString("latin1"))) counts.refused++; });
        socket.on("error", (error: NodeJS.ErrnoException) => {
            const code = error.code ?? error.message;
            counts.errors[code] = (counts.errors[code] ?? 0) + 1;
        });
        socket.once("close", () => {
            if (stopping) return;
            if (open.delete(socket)) counts.closedByServer++;
            toOpen++;
        });
    };

    const ramp = setInterval(() => {
        for (let i = 0; i < rampPerTick && toOpen > 0; i++, toOpen--) connect();
    }, 100);
    const trickle = setInterval(() => {
        for (const socket of open) socket.write("a");
    }, trickleMs);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    stopping = true;
    clearInterval(ramp);
    clearInterval(trickle);
    counts.heldAtEnd = open.size;
    for (const socket of open) socket.destroy();
    return counts;
}

/**
 * Why an attack did not happen as planned: a plan that never established all its connections put
 * less pressure on the server than the drill claims, so "the server kept answering" would prove
 * nothing about it. Empty when every plan opened at least its connections.
 */
export function attackProblems(plans: SlowClientPlan[], counts: SlowClientCounts[]): string[] {
    return plans.flatMap((plan) => {
        const got = counts.find((c) => c.label === plan.label);
        if (!got) return [`${plan.label}: no counts (the attack did not run)`];
        if (got.opened >= plan.connections) return [];
        const errors = Object.entries(got.errors).map(([code, n]) => `${n} x ${code}`).join(", ") || "no socket errors";
        return [`${plan.label}: opened ${got.opened} of ${plan.connections} connections (${errors})`];
    });
}
