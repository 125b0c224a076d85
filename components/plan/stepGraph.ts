import { HostStep } from "./hostStep";

/** A step's qualified name, as cross-host `waitsFor` entries spell it. */
export function qualifiedStepName(host: string, step: string): string {
    return `${host}/${step}`;
}

/**
 * The qualified names a step waits for. Same-host names are qualified with the step's host; every
 * name must refer to a step planned earlier (so the plan is acyclic and executors can run it in order).
 */
export function stepDependencies<V>(plans: Array<{ host: string; steps: HostStep<V>[] }>): Map<string, string[]> {
    const seen = new Set<string>();
    const dependencies = new Map<string, string[]>();
    const problems: string[] = [];
    for (const { host, steps } of plans) {
        for (const step of steps) {
            const name = qualifiedStepName(host, step.name);
            const waits = step.waitsFor.map((w) => (w.includes("/") ? w : qualifiedStepName(host, w)));
            for (const w of waits.filter((w) => !seen.has(w))) {
                problems.push(`${name} waits for ${w}, which is not planned before it`);
            }
            dependencies.set(name, waits);
            seen.add(name);
        }
    }
    if (problems.length > 0) {
        throw new Error(`Invalid host plan:\n - ${problems.join("\n - ")}`);
    }
    return dependencies;
}
