/**
 * The blue/green switch on a host: nginx proxies to one stable port per host (HostPorts.livePort),
 * and ha-web-live points it at the live colour with a kernel redirect. These numbers make the switch
 * race-free: nginx itself closes every upstream connection it keeps within a bounded time, so once
 * that time has passed after a switch, no connection to the old colour is left that the old colour
 * could close under a request (the classic keep-alive race that fails a POST).
 */
export const upstreamKeepalive = {
    /** nginx `keepalive_time`: an upstream connection is closed after the first response past this age. */
    maxSeconds: 1,
    /** nginx `keepalive_timeout`: an idle upstream connection is closed after this. */
    idleSeconds: 1,
};

/** From the switch until nginx has closed every connection it had to the old colour (+1 s of slack). */
export function liveSwitchSettleSeconds(): number {
    return upstreamKeepalive.maxSeconds + upstreamKeepalive.idleSeconds + 1;
}

/** The iptables nat chain that holds a host's live-port redirect (one per host: local hosts share a kernel). */
export function liveChain(host: string): string {
    return `HA_WEB_LIVE_${host}`;
}
