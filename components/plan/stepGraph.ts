import { HostStep } from "./step";

/** A step's qualified name, as cross-host `waitsFor` entries spell it. */
export function qualifiedStepName(host: string, step: string): string {
    return `${host}/${step}`;
}

/** A step placed in the whole plan: its host, and the qualified names it waits for. */
export interface OrderedStep<V> {
    host: string;
    step: HostStep<V>;
    waits: string[];
}

/**
 * Every step of every host in an order where each comes after all it waits for, keyed by qualified
 * name (Map order is that order). Executors create steps in it: Pulumi's `dependsOn` needs the
 * resources it names to exist. Same-host names are qualified with the step's host. A step may wait
 * for one planned later (the first host's migration waits for every host's image), but every name
 * must exist and the graph must be acyclic. Ties keep plan order, host by host.
 */
export function stepDependencies<V>(plans: Array<{ host: string; steps: HostStep<V>[] }>): Map<string, OrderedStep<V>> {
    const pending = new Map<string, OrderedStep<V>>();
    for (const { host, steps } of plans) {
        for (const step of steps) {
            const waits = step.waitsFor.map((w) => (w.includes("/") ? w : qualifiedStepName(host, w)));
            pending.set(qualifiedStepName(host, step.name), { host, step, waits });
        }
    }
    const problems = [...pending].flatMap(([name, { waits }]) =>
        waits.filter((w) => !pending.has(w)).map((w) => `${name} waits for ${w}, which is not planned`));
    if (problems.length > 0) {
        throw new Error(`Invalid host plan:\n - ${problems.join("\n - ")}`);
    }
    const ordered = new Map<string, OrderedStep<V>>();
    while (pending.size > 0) {
        const ready = [...pending].find(([, { waits }]) => waits.every((w) => ordered.has(w)));
        if (!ready) {
            throw new Error(`Invalid host plan: these steps wait for each other in a cycle: ${[...pending.keys()].join(", ")}`);
        }
        ordered.set(ready[0], ready[1]);
        pending.delete(ready[0]);
    }
    return ordered;
}
