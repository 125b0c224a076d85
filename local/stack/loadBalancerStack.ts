import * as fs from "fs";
import * as path from "path";
import { ensureContainer, EnsureOutcome, waitFor } from "./containers";
import { request } from "../http/probe";
import { Algorithm, renderHaproxyConfig } from "./haproxyConfig";
import { baseImages, buildImage, imageContext } from "./images";
import { loadBalancer, stateDir } from "./stackLayout";
import { hostNames, hostPorts, hostSlots } from "./stackHosts";
import { healthCheck } from "../../components/plan/healthCheck";

const configFile = path.join(stateDir, "haproxy.cfg");

/**
 * Builds and starts the ALB stand-in; a changed config re-creates it (the spec hash includes it).
 * `algorithm` is the target group's unless a drill compares another.
 */
export async function ensureLoadBalancer(algorithm?: Algorithm): Promise<EnsureOutcome> {
    // Every slot, so changing hostCount never re-creates the load balancer under load (haproxyConfig.ts).
    const config = renderHaproxyConfig(hostSlots.map(hostPorts), { listen: loadBalancer.port, stats: loadBalancer.statsPort }, algorithm);
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
    if (outcome !== "unchanged") await awaitEmptySlotsDown();
    return outcome;
}

/**
 * A started load balancer takes traffic only once every slot without a host is DOWN: a request sent
 * to one before its first failed checks would be refused (503, `retries 0`), where an ALB sends a
 * target nothing before its checks pass.
 */
async function awaitEmptySlotsDown(): Promise<void> {
    const hosts = hostNames();
    const timeoutSeconds = (healthCheck.unhealthyThreshold + 1) * healthCheck.intervalSeconds + healthCheck.timeoutSeconds;
    await Promise.all(hostSlots.filter((slot) => !hosts.includes(slot)).map((slot) => waitForTarget(slot, "DOWN", timeoutSeconds)));
}

/** Target health as the load balancer sees it: host -> "UP" | "DOWN" | "UP 1/2" | ... */
export async function targetStates(): Promise<Map<string, string>> {
    return targetColumn("status");
}

/** Requests each target is serving now (haproxy's `scur`): 0 once a drained host has finished its last one. */
export async function targetRequestsInFlight(): Promise<Map<string, number>> {
    return new Map([...await targetColumn("scur")].map(([host, value]) => [host, Number(value)]));
}

/** One column of haproxy's CSV stats for each server of the `hosts` backend. */
async function targetColumn(column: string): Promise<Map<string, string>> {
    const { text: csv } = await request(`http://127.0.0.1:${loadBalancer.statsPort}/stats;csv`, { timeoutMs: 2000 });
    const values = new Map<string, string>();
    const lines = csv.split("\n");
    const header = lines[0].replace(/^# /, "").split(",");
    const index = header.indexOf(column);
    for (const line of lines.slice(1)) {
        const fields = line.split(",");
        if (fields[0] === "hosts" && fields[1] !== "BACKEND") values.set(fields[1], fields[index]);
    }
    return values;
}

export async function waitForTarget(host: string, wanted: "UP" | "DOWN", timeoutSeconds: number): Promise<void> {
    await waitFor(`the load balancer to mark ${host} ${wanted}`, timeoutSeconds, async () =>
        (await targetStates()).get(host) === wanted);
}
