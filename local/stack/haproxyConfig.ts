import { healthCheck, loadBalancing } from "../../components/plan/healthCheck";
import { HostPorts } from "../../components/plan/hostPorts";

export interface LoadBalancerPorts {
    listen: number;
    stats: number;
}

/**
 * haproxy configured to behave like the ALB it stands in for, and never kinder:
 * - the target group's health check (path, interval, timeout, thresholds) from healthCheck.ts;
 * - keep-alive connections to the hosts (`http-reuse safe`, the ALB keeps connections to targets);
 * - `retries 0` and no `option redispatch`: a request that fails on a host fails for the client,
 *   as it does behind an ALB (which never retries on another target);
 * - no passive health checks (`observe` off): only the active check takes a host out, like the ALB;
 * - the ALB's connect timeout (10 s) and idle timeout, and its routing algorithm (least outstanding
 *   requests -> `leastconn`), from healthCheck.ts; a drill may ask for round robin to compare;
 * - X-Forwarded-For appended with the client's address, as the ALB does, so a client cannot choose
 *   the address nginx logs and limits by (nginx trusts only this proxy's address);
 * - the request headers must arrive within 60 s: the ALB documents one client deadline, the
 *   connection idle timeout (60 s, "no data sent or received"; docs.aws.amazon.com/elasticloadbalancing/
 *   latest/application/edit-load-balancer-attributes.html#connection-idle-timeout); haproxy's
 *   `timeout client` is that idle timeout, `timeout http-request` bounds the whole header by it.
 *   An ALB may hold a client that trickles a byte within every 60 s longer; either way the load
 *   balancer, not the hosts, holds slow headers (haproxy forwards complete headers only; an ALB
 *   must read them to pick a rule and a target), so the hosts see no difference;
 * - connection capacity far above what the drills open (an ALB scales out instead of refusing);
 * - a server (and its check) for every host slot the stack may run (stackHosts.ts), so a change of
 *   hostCount never re-creates the load balancer: a slot without a host fails its checks and gets
 *   no traffic, as an unhealthy ALB target gets none, and a new host enters rotation once its checks
 *   pass, as a newly registered target does.
 */
// Each connection takes two descriptors (client and server side); this fits a 20,000 descriptor limit.
const maxConnections = 8_000;

/** haproxy's name for each target group `loadBalancingAlgorithmType` the stand-in can play. */
export const haproxyBalance = {
    round_robin: "roundrobin",
    least_outstanding_requests: "leastconn",
} as const;

export type Algorithm = keyof typeof haproxyBalance;

export function renderHaproxyConfig(hosts: HostPorts[], ports: LoadBalancerPorts, algorithm: Algorithm = loadBalancing.algorithm): string {
    const idle = `${loadBalancing.idleSeconds}s`;
    return [
        "global",
        `    maxconn ${maxConnections}`,
        "",
        "defaults",
        "    mode http",
        `    maxconn ${maxConnections}`,
        "    option http-keep-alive",
        "    option forwardfor",
        `    timeout http-request ${idle}`,
        `    timeout connect ${loadBalancing.connectSeconds}s`,
        `    timeout client ${idle}`,
        `    timeout server ${idle}`,
        `    timeout http-keep-alive ${idle}`,
        "    retries 0",
        "",
        "frontend web",
        `    bind 127.0.0.1:${ports.listen}`,
        "    default_backend hosts",
        "",
        "backend hosts",
        `    balance ${haproxyBalance[algorithm]}`,
        "    http-reuse safe",
        ...hosts.map((h) => `    server ${h.name} 127.0.0.1:${h.nginxPort} track checks/${h.name}`),
        "",
        // The target group's health checks, in a backend of their own whose connect timeout is the
        // check timeout: haproxy bounds a check's connect by min(timeout connect, inter), so with the
        // requests' 10 s a check of a silent host would take 5 s, not the ALB's 2 s. `hosts` tracks these.
        "backend checks",
        `    timeout connect ${healthCheck.timeoutSeconds}s`,
        // HTTP/1.1 with a Host header, as the ALB's checks are (haproxy's default is HTTP/1.0 without one).
        "    option httpchk",
        `    http-check send meth GET uri ${healthCheck.path} ver HTTP/1.1 hdr Host 127.0.0.1 hdr User-Agent ${healthCheck.userAgentPrefix}/2.0`,
        "    http-check expect status 200",
        `    timeout check ${healthCheck.timeoutSeconds}s`,
        `    default-server inter ${healthCheck.intervalSeconds}s fall ${healthCheck.unhealthyThreshold} rise ${healthCheck.healthyThreshold}`,
        ...hosts.map((h) => `    server ${h.name} 127.0.0.1:${h.nginxPort} check`),
        "",
        "frontend stats",
        `    bind 127.0.0.1:${ports.stats}`,
        "    stats enable",
        "    stats uri /stats",
        "",
    ].join("\n");
}
