/**
 * How the load balancer decides a host is alive, and how long a leaving host may drain.
 * One source of truth: the Pulumi target group and the local load balancer both read these,
 * so the drills measure the same failure window an AWS user would see.
 */
export const healthCheck = {
    /** Answered by nginx -> app without touching the database, so a database outage never empties the pool. */
    path: "/ping",
    /**
     * The ALB's health checks send this User-Agent (the local stand-in sends the same): a drained host
     * fails only these, while a user's own GET /ping still answers pong.
     */
    userAgentPrefix: "ELB-HealthChecker",
    /** The ALB minimum. */
    intervalSeconds: 5,
    timeoutSeconds: 2,
    /** The ALB minimum for both thresholds: a dead host leaves rotation after 2 x 5 s (+ timeout). */
    healthyThreshold: 2,
    unhealthyThreshold: 2,
} as const;

/**
 * How the load balancer talks to hosts; the ALB and its local stand-in read the same values.
 * - connectSeconds: the ALB gives up connecting to a target after 10 s and answers 504 ("The load
 *   balancer failed to establish a connection to the target before the connection timeout expired
 *   (10 seconds)", ALB docs, "HTTP 504: Gateway timeout"). Fixed by AWS, not a setting.
 * - idleSeconds: the ALB's `idleTimeout` (also how long a request on a kept-alive connection to a
 *   target that stopped answering waits for its 504). nginx keeps client connections 75 s, longer
 *   than this, so the ALB never reuses a connection nginx closed.
 * - algorithm: the target group's `loadBalancingAlgorithmType`. Least outstanding requests sends
 *   each request to the target with the fewest requests in flight, so a slow host (its requests
 *   pile up) gets fewer; round robin gives it its full share. haproxy's `leastconn` counts the
 *   same thing (requests being served per server). The drill "slow host" measures both.
 */
export const loadBalancing = {
    connectSeconds: 10,
    idleSeconds: 60,
    algorithm: "least_outstanding_requests",
} as const;

/**
 * The app's own drain budget on SIGTERM (compose `stop_grace_period`); the app caps its drain below it.
 */
export const appStopGraceSeconds = 20;

/**
 * ALB deregistration delay: short (the AWS default is 300 s) but above the app's drain time, so a
 * request that was in flight when a host was deregistered is allowed to finish.
 */
export const deregistrationDelaySeconds = appStopGraceSeconds + 10;

/** Worst case from a host passing its health check again to the load balancer sending it traffic. */
export function rejoinWindowSeconds(): number {
    return healthCheck.intervalSeconds * healthCheck.healthyThreshold + healthCheck.timeoutSeconds;
}

/** Worst case from a host dying to the load balancer taking it out of rotation. */
export function detectionWindowSeconds(): number {
    return healthCheck.intervalSeconds * healthCheck.unhealthyThreshold + healthCheck.timeoutSeconds;
}

/**
 * Worst case a new request fails for after a host stops answering: sent just before detection, it
 * waits the whole connect timeout. A request already in flight on a kept-alive connection to the
 * host waits up to the idle timeout instead.
 */
export function hostLossWindowSeconds(): number {
    return detectionWindowSeconds() + loadBalancing.connectSeconds;
}
