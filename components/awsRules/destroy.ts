import { dependencyClosure, keyOf, label, ResourceNode } from "./graph";
import { isElasticIp, isInternetRoute, isSshRule, isTargetAttachment, reachesHostOnDelete } from "./nodes";

/**
 * `pulumi destroy` deletes dependents first, in waves: each wave is every remaining resource that
 * nothing remaining waits for, deleted in parallel (pulumi/pulumi pkg/resource/deploy/step_generator.go
 * `ScheduleDeletes`: antichains of the snapshot's dependency graph, reversed).
 */
function deleteWaves(nodes: ResourceNode[]): ResourceNode[][] {
    const closure = dependencyClosure(nodes);
    let remaining = [...nodes];
    const waves: ResourceNode[][] = [];
    while (remaining.length > 0) {
        const keys = new Set(remaining.map(keyOf));
        const neededByRemaining = new Set(remaining.flatMap((n) => [...closure.get(keyOf(n))!].filter((k) => keys.has(k))));
        const wave = remaining.filter((n) => !neededByRemaining.has(keyOf(n)));
        waves.push(wave);
        remaining = remaining.filter((n) => !wave.includes(n));
    }
    return waves;
}

/** What a delete needs to still exist when it runs. */
interface DeleteNeed {
    rule: string;
    source: string;
    deleting: (node: ResourceNode) => boolean;
    needs: (node: ResourceNode, deleting: ResourceNode, graph: ResourceNode[]) => boolean;
}

/** The instance a host step acts on: a file set's `machine`, a command's first trigger (components/hostSetup.ts, serviceMembership.ts). */
const instanceIdOf = (step: ResourceNode) =>
    String(step.inputs.machine ?? (Array.isArray(step.inputs.triggers) ? step.inputs.triggers[0] : ""));

export const deleteNeeds: DeleteNeed[] = [
    {
        rule: "a host step's delete reaches its host over SSH (route, address, SSH rule)",
        source: "components/hostFiles/resource.ts `delete` (removeFileSet over SSH); pulumi-command remote commandController.go runs `delete` over the same connection",
        deleting: reachesHostOnDelete,
        needs: (n, deleting, graph) => isInternetRoute(n) || isSshRule(n, graph) || (isElasticIp(n) && n.inputs.instance === instanceIdOf(deleting)),
    },
    {
        rule: "a host is drained before its target registration goes",
        source: "components/serviceMembership.ts (retire-host runs ha-web-drain and waits out the deregistration delay while the host is registered)",
        deleting: (n) => n.type === "command:remote:Command" && n.inputs.delete !== undefined,
        needs: (n, draining) => isTargetAttachment(n) && n.inputs.targetId === instanceIdOf(draining),
    },
];

/**
 * Walks the deletes of `pulumi destroy` from a stack holding `nodes` (the whole program, or what an
 * interrupted `up` left) and names every delete that runs after, or alongside, something it needs.
 */
export function destroyProblems(nodes: ResourceNode[]): string[] {
    const waveOf = new Map(deleteWaves(nodes).flatMap((wave, i) => wave.map((n) => [keyOf(n), i] as const)));
    return deleteNeeds.flatMap((need) => nodes.filter(need.deleting).flatMap((deleting) => nodes
        .filter((n) => n !== deleting && need.needs(n, deleting, nodes) && waveOf.get(keyOf(n))! <= waveOf.get(keyOf(deleting))!)
        .map((n) => `${need.rule}: ${label(deleting)} is deleted in wave ${waveOf.get(keyOf(deleting))}, `
            + `${label(n)} already in wave ${waveOf.get(keyOf(n))} (${need.source})`)));
}
