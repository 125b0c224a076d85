import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderHaproxyConfig } from "../../local/stack/haproxyConfig";
import { freePort } from "./mariadb";
import { NginxHost, waitForPing } from "./nginxHost";

export interface LoadBalancerInFront {
    port: number;
    /** haproxy's exit code, null while it runs. */
    exitCode(): number | null;
    stop(): Promise<void>;
}

/** The real haproxy with the local stack's configuration (the ALB's stand-in) in front of `host`, as host-a. */
export async function startLoadBalancerInFront(host: NginxHost): Promise<LoadBalancerInFront> {
    const port = await freePort();
    const config = path.join(host.dir, "haproxy.cfg");
    fs.writeFileSync(config, renderHaproxyConfig([{ ...host.layout, name: "host-a" }], { listen: port, stats: await freePort() }));
    const haproxy = spawn("haproxy", ["-W", "-db", "-f", config], { stdio: "ignore" });
    await waitForPing(port);
    return {
        port,
        exitCode: () => haproxy.exitCode,
        stop: async () => {
            if (haproxy.exitCode !== null) return;
            const exited = new Promise((resolve) => haproxy.once("exit", resolve));
            haproxy.kill("SIGTERM");
            await exited;
        },
    };
}
