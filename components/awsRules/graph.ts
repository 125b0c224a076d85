/**
 * The program's resources as the engine sees them: each with its direct dependencies (explicit
 * `dependsOn` and those of its inputs), by `type::name` key. Rules read this graph only.
 */
export interface ResourceNode {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Keys (`type::name`) of the resources this one waits for on create and outlives on delete. */
    dependsOn: string[];
}

export const keyOf = (node: { type: string; name: string }) => `${node.type}::${node.name}`;

/** `type name`, as messages name a resource. */
export const label = (node: { type: string; name: string }) => `${node.type} ${node.name}`;

/** Every resource each one waits for, directly or through others, by key. */
export function dependencyClosure(nodes: ResourceNode[]): Map<string, Set<string>> {
    const direct = new Map(nodes.map((n) => [keyOf(n), n.dependsOn]));
    const closure = new Map<string, Set<string>>();
    const visit = (key: string): Set<string> => {
        const known = closure.get(key);
        if (known) return known;
        const all = new Set<string>();
        closure.set(key, all);
        for (const dependency of direct.get(key) ?? []) {
            all.add(dependency);
            visit(dependency).forEach((k) => all.add(k));
        }
        return all;
    };
    nodes.forEach((n) => visit(keyOf(n)));
    return closure;
}

/** What a rule requires: `dependent` must wait for (be created after, deleted before) `prerequisite`. */
export interface Requirement {
    rule: string;
    /** The AWS documentation or provider source the rule comes from. */
    source: string;
    dependent: (node: ResourceNode) => boolean;
    prerequisite: (node: ResourceNode, dependent: ResourceNode, graph: ResourceNode[]) => boolean;
}

/** One message per missing edge: the rule, the resource, what it does not wait for, and why. */
export function missingEdges(nodes: ResourceNode[], requirements: Requirement[]): string[] {
    const closure = dependencyClosure(nodes);
    return requirements.flatMap((req) => nodes.filter(req.dependent).flatMap((dependent) => nodes
        .filter((p) => p !== dependent && req.prerequisite(p, dependent, nodes) && !closure.get(keyOf(dependent))!.has(keyOf(p)))
        .map((p) => `${req.rule}: ${label(dependent)} does not wait for ${label(p)} (${req.source})`)));
}
