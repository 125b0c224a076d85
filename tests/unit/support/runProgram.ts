/**
 * Runs the real program (index.ts) under the shared mocks with a given stack configuration and
 * returns what it registered and exported.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResourceNode } from "../../../components/awsRules/graph";
import { clearLifecycle, dependencies, edges, invoked, mockDebianAmi, recorded, RecordedResource, valueOf } from "./pulumiMocks";

type Program = () => Promise<Record<string, pulumi.Input<unknown>>>;

export interface ProgramRun {
    resources: RecordedResource[];
    /** The provider functions the program called, e.g. "aws:ec2/getAmi:getAmi", with their arguments. */
    invokes: Array<{ token: string; inputs: Record<string, unknown> }>;
    outputs: Record<string, pulumi.Output<unknown>>;
    /** The custom resources and their direct dependencies: the graph the engine creates and deletes by. */
    graph: ResourceNode[];
    /** Resources of one type, e.g. "aws:ec2/instance:Instance". */
    ofType(type: string): RecordedResource[];
}

/** The keys every stack must set (no defaults), as an operator's stack would have them. */
export const requiredConfig: Record<string, string> = {
    amiId: mockDebianAmi,
    sshAllowedCidrs: JSON.stringify(["203.0.113.7/32"]),
};

/** Runs index.ts with `config` over the required keys (those in `secretKeys` set as secrets); a key set to `undefined` is left unset. */
export async function runProgram(config: Record<string, string | undefined> = {}, secretKeys: string[] = []): Promise<ProgramRun> {
    const merged = { "aws:region": "us-west-2", ...requiredConfig, ...config };
    const fullKey = (key: string) => (key.includes(":") ? key : `ha-web:${key}`);
    pulumi.runtime.setAllConfig(Object.fromEntries(
        Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([k, v]) => [fullKey(k), v]),
    ), secretKeys.map(fullKey));
    recorded.length = 0;
    invoked.length = 0;
    dependencies.clear();
    edges.clear();
    clearLifecycle();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program must load after setMocks
    const program = require("../../../index") as Program;
    const exported = await program();
    const outputs = Object.fromEntries(Object.entries(exported).map(([k, v]) => [k, pulumi.output(v)]));
    await Promise.all(Object.values(outputs).map((o) => valueOf(o)));
    await settle();
    const resources = [...recorded];
    const graph = resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, dependsOn: edges.get(`${r.type}::${r.name}`) ?? [] }));
    return { resources, invokes: [...invoked], graph, outputs, ofType: (type) => resources.filter((r) => r.type === type) };
}

/** Waits until no new resource has been registered for a few turns of the event loop. */
async function settle(): Promise<void> {
    let quietTurns = 0;
    let seen = -1;
    while (quietTurns < 20) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        quietTurns = recorded.length === seen ? quietTurns + 1 : 0;
        seen = recorded.length;
    }
}
