import { LoadSummary } from "../load/sample";

/** One drill's outcome, a row of the drill table. */
export interface DrillResult {
    name: string;
    passed: boolean;
    /** Every check that failed, in words an operator understands. */
    problems: string[];
    load?: LoadSummary;
    /** Seconds each host's rollout step took, when the drill deployed. */
    rolloutSeconds?: Record<string, number>;
    notes: string[];
    seconds: number;
}

export type Drill = { name: string; run: (result: DrillResult) => Promise<void> };

/** Runs a drill; an exception is a failed check, not a crash of the suite. */
export async function runDrill(drill: Drill): Promise<DrillResult> {
    const result: DrillResult = { name: drill.name, passed: false, problems: [], notes: [], seconds: 0 };
    const started = Date.now();
    console.log(`\n=== drill: ${drill.name}`);
    try {
        await drill.run(result);
    } catch (error) {
        result.problems.push((error as Error).message.split("\n").slice(0, 6).join(" | "));
    }
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    result.passed = result.problems.length === 0;
    console.log(`=== drill: ${drill.name}: ${result.passed ? "PASSED" : `FAILED: ${result.problems.join("; ")}`}`);
    return result;
}

export function expect(result: DrillResult, ok: boolean, problem: string): void {
    if (!ok) result.problems.push(problem);
}
