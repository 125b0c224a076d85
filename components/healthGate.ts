import * as pulumi from "@pulumi/pulumi";

export interface HealthGateInputs {
    /** The site's base URL (the load balancer), through `listenerArn`. */
    url: string;
    /** The listener the gate checks (HTTPS when the site has a certificate): a new one makes the gate run again. */
    listenerArn: string;
    /** Every host's name, for messages, in the order of `instanceIds`. */
    hosts: string[];
    /**
     * Every host's instance, which must answer: nginx names it in `X-Served-By-Instance` (apply-config,
     * from cloud-init's instance id). A replaced host has a new one, so its old host, still serving
     * under the same name until it is deleted, cannot pass for it; and the gate runs again.
     */
    instanceIds: string[];
    /** A digest of every host step's triggers: a reconfigured host makes the gate run again. */
    configDigest: string;
    timeoutSeconds: number;
    /** Changes with every release, so the gate runs again after each rollout. */
    release: string;
}

export interface HealthGateArgs {
    url: pulumi.Input<string>;
    listenerArn: pulumi.Input<string>;
    hosts: pulumi.Input<string>[];
    instanceIds: pulumi.Input<string>[];
    configDigest: pulumi.Input<string>;
    timeoutSeconds: number;
    release: pulumi.Input<string>;
}

/**
 * Polls `<url>/ping` over fresh connections until every host has answered 200 through the load
 * balancer, or throws after `timeoutSeconds` naming the hosts that never did. Self-contained (node's
 * own modules only) because Pulumi serializes it into the dynamic provider.
 */
export async function waitForEveryHost(inputs: Pick<HealthGateInputs, "url" | "hosts" | "instanceIds" | "timeoutSeconds">): Promise<{ seen: string[]; attempts: number }> {
    // The certificate names the site's domain, not the load balancer's DNS name, so an HTTPS gate
    // cannot verify it; the gate sends nothing secret and only reads a status code and a header.
    const get = (url: string) => new Promise<{ status: number; host: string; instance: string }>((resolve, reject) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized into the provider
        const client: typeof import("https") = url.startsWith("https:") ? require("https") : require("http");
        const request = client.get(url, { agent: false, rejectUnauthorized: false, timeout: 5000 }, (response) => {
            response.resume();
            resolve({
                status: response.statusCode ?? 0,
                host: String(response.headers["x-served-by"] ?? "unknown"),
                instance: String(response.headers["x-served-by-instance"] ?? "unknown"),
            });
        });
        request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
        request.on("error", reject);
    });

    const deadline = Date.now() + inputs.timeoutSeconds * 1000;
    const seen = new Set<string>();
    let attempts = 0;
    let lastProblem = "no answer yet";
    while (Date.now() < deadline) {
        attempts++;
        try {
            // agent: false above: a fresh connection each time, so the load balancer can pick any host.
            const { status, host, instance } = await get(`${inputs.url}/ping`);
            if (status === 200) {
                seen.add(instance);
            } else {
                lastProblem = `${host} (${instance}) answered ${status}`;
            }
        } catch (error) {
            lastProblem = String(error);
        }
        if (inputs.instanceIds.every((id) => seen.has(id))) {
            return { seen: [...seen].sort(), attempts };
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const missing = inputs.instanceIds.filter((id) => !seen.has(id)).map((id) => `${inputs.hosts[inputs.instanceIds.indexOf(id)] ?? "a host"} (${id})`);
    const others = [...seen].filter((id) => !inputs.instanceIds.includes(id));
    throw new Error(`health gate: ${inputs.url}/ping never answered 200 from ${missing.join(", ")} within ${inputs.timeoutSeconds} s `
        + `(${attempts} attempts; last problem: ${lastProblem}${others.length > 0 ? `; answered by other instances: ${others.join(", ")}` : ""}). `
        + "Check the target group's health in the EC2 console and the hosts' nginx logs.");
}

const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: HealthGateInputs) {
        const result = await waitForEveryHost(inputs);
        return { id: `health-gate-${Date.now()}`, outs: { ...inputs, ...result } };
    },
    async update(_id: string, _olds: HealthGateInputs, news: HealthGateInputs) {
        const result = await waitForEveryHost(news);
        return { outs: { ...news, ...result } };
    },
};

/**
 * `pulumi up` succeeds only when the site really serves: after the last rollout, every host must
 * answer `/ping` through the load balancer.
 */
export class HealthGate extends pulumi.dynamic.Resource {
    // `declare`: a class field would be emitted and wipe the output the base constructor set.
    declare public readonly seen: pulumi.Output<string[]>;

    constructor(name: string, args: HealthGateArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args, seen: undefined, attempts: undefined }, opts, "ha-web", "HealthGate");
    }
}
