/** One request as a client behind the load balancer saw it. */
export interface Sample {
    /** When the request was sent (ms since the epoch). */
    sentAt: number;
    latencyMs: number;
    connection: "keep-alive" | "fresh";
    /** GET of `path`, or POST of a new note (`write`). */
    method: "GET" | "POST";
    path: string;
    /** A write's note: the text sent, and the id the app acknowledged it with (201). */
    write?: { text: string; id?: number };
    /** HTTP status, or 0 when the request failed at the socket (reset, refused, timeout). */
    status: number;
    /** The X-App-Version header, when there was a response. */
    version?: string;
    error?: string;
}

/** What a user counts as a failure: anything but a 200 (a 201 for a write). */
export function failed(sample: Sample): boolean {
    return sample.status !== (sample.method === "POST" ? 201 : 200);
}

export function isWrite(sample: Sample): boolean {
    return sample.method === "POST";
}

/** The GETs of a load (a database outage may fail writes, never these). */
export function reads(samples: Sample[]): Sample[] {
    return samples.filter((s) => !isWrite(s));
}

export interface LoadSummary {
    requests: number;
    failures: number;
    /** Writes the app acknowledged (201) and writes that failed. */
    writes: { acknowledged: number; failed: number };
    p50Ms: number;
    p99Ms: number;
    /** Responses per X-App-Version value. */
    versions: Record<string, number>;
}

export function summarize(samples: Sample[]): LoadSummary {
    const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const versions: Record<string, number> = {};
    for (const s of samples) {
        if (s.version) versions[s.version] = (versions[s.version] ?? 0) + 1;
    }
    return {
        requests: samples.length,
        failures: samples.filter(failed).length,
        writes: { acknowledged: samples.filter((s) => s.write?.id !== undefined).length, failed: samples.filter((s) => isWrite(s) && failed(s)).length },
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        versions,
    };
}

function percentile(sorted: number[], fraction: number): number {
    if (sorted.length === 0) return 0;
    const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
    return Math.round(sorted[Math.max(0, index)] * 10) / 10;
}
