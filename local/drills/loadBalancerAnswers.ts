import { headerValue, probe, ProbeReply } from "../http/probe";
import { loadBalancer } from "../stack/stackLayout";

/** One request through the load balancer on a fresh connection (status 0: no answer within 5 s). */
export function throughLoadBalancer(pathname: string): Promise<ProbeReply> {
    return probe(`${loadBalancer.url}${pathname}`, { timeoutMs: 5000 });
}

/** The hosts that answered `count` fresh requests to / with 200 (nginx names itself in X-Served-By). */
export async function hostsServing(count: number): Promise<Set<string>> {
    const hosts = new Set<string>();
    for (let i = 0; i < count; i++) {
        const reply = await throughLoadBalancer("/");
        const host = headerValue(reply, "x-served-by");
        if (reply.status === 200 && host) hosts.add(host);
    }
    return hosts;
}

/** The versions `count` fresh requests to / see (round robin reaches every host in rotation). */
export async function versionsServed(count: number): Promise<Set<string>> {
    const versions = new Set<string>();
    for (let i = 0; i < count; i++) {
        const reply = await throughLoadBalancer("/");
        versions.add(reply.status === 200 ? headerValue(reply, "x-app-version") ?? "no version header" : `HTTP ${reply.status}`);
    }
    return versions;
}
