import * as fs from "fs";
import * as path from "path";
import { ensureContainer, EnsureOutcome, waitFor } from "./containers";
import { request } from "../http/probe";
import { Algorithm, renderHaproxyConfig } from "./haproxyConfig";
import { baseImages, buildImage, imageContext } from "./images";
import { localHosts, loadBalancer, stateDir } from "./stackLayout";

const configFile = path.join(stateDir, "haproxy.cfg");

/**
 * Builds and starts the ALB stand-in; a changed config re-creates it (the spec hash includes it).
 * `algorithm` is the target group's unless a drill compares another.
 */
export async function ensureLoadBalancer(algorithm?: Algorithm): Promise<EnsureOutcome> {
    const config = renderHaproxyConfig(localHosts, { listen: loadBalancer.port, stats: loadBalancer.statsPort }, algorithm);
    fs.mkdirSync(stateDir, { recursive: true });
    if (!fs.existsSync(configFile) || fs.readFileSync(configFile, "utf8") !== config) {
        fs.writeFileSync(configFile, config);
    }
    await buildImage({ tag: loadBalancer.image, context: imageContext("loadbalancer"), buildArgs: { BASE_IMAGE: baseImages.debian } });
    const outcome = await ensureContainer({
        name: loadBalancer.container,
        image: loadBalancer.image,
        runArgs: ["--network", "host", "-v", `${configFile}:/etc/haproxy/haproxy.cfg:ro`],
        mountedContent: config,
    });
    await waitFor("the load balancer's stats page", 30, async () => (await targetStates().catch(() => undefined)) !== undefined);
    return outcome;
}

/** Target health as the load balancer sees it: host -> "UP" | "DOWN" | "UP 1/2" | ... */
export async function targetStates(): Promise<Map<string, string>> {
    const { text: csv } = await request(`http://127.0.0.1:${loadBalancer.statsPort}/stats;csv`, { timeoutMs: 2000 });
    const states = new Map<string, string>();
    const lines = csv.split("\n");
    const header = lines[0].replace(/^# /, "").split(",");
    const status = header.indexOf("status");
    for (const line of lines.slice(1)) {
        const fields = line.split(",");
        if (fields[0] === "hosts" && fields[1] !== "BACKEND") states.set(fields[1], fields[status]);
    }
    return states;
}

export async function waitForTarget(host: string, wanted: "UP" | "DOWN", timeoutSeconds: number): Promise<void> {
    await waitFor(`the load balancer to mark ${host} ${wanted}`, timeoutSeconds, async () =>
        (await targetStates()).get(host) === wanted);
}
