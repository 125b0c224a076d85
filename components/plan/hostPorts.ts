/**
 * Where things listen on one host. nginx faces the load balancer; the app runs as two colours
 * (blue/green) on two loopback ports so a new version can start beside the old one.
 */
export interface HostPorts {
    /** Host name, also the compose project prefix (`<name>-blue`, `<name>-green`). */
    name: string;
    /** nginx listen port (the load balancer's target port). */
    nginxPort: number;
    /** The stable port nginx proxies to; the kernel redirects it to the live colour (ha-web-live). */
    livePort: number;
    bluePort: number;
    greenPort: number;
    /** Where sshd answers: Pulumi and the local stack carry the plan to the host through it. */
    sshPort: number;
}

/** On AWS every host is its own machine, so all hosts share one port plan. */
export function awsHostPorts(name: string): HostPorts {
    return { name, nginxPort: 80, livePort: 3000, bluePort: 3001, greenPort: 3002, sshPort: 22 };
}

/**
 * Locally every "host" shares this machine's network (containers on the host network), so each
 * host gets its own block of ports: host index 0 -> nginx 8081, live port 3100, app 3101/3102, sshd
 * 2201; index 1 -> 8082, 3200, 3201/3202, 2202.
 */
export function localHostPorts(name: string, index: number): HostPorts {
    return {
        name,
        nginxPort: 8081 + index,
        livePort: 3100 + 100 * index,
        bluePort: 3101 + 100 * index,
        greenPort: 3102 + 100 * index,
        sshPort: 2201 + index,
    };
}
