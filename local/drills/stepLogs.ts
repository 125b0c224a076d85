import { hostPaths } from "../../components/plan/hostPaths";
import { runHostPlans } from "../executor/stepExecutor";
import { releasePlans } from "../releases/release";
import { currentRelease } from "../releases/releaseBook";
import { outputOnHost } from "../stack/hostAccess";
import { DrillResult, expect } from "./drill";

/** The host's step logs, one line each with its time: a step that runs rewrites its log. */
export function stepLogs(host: string): Promise<string> {
    return outputOnHost(host, `sudo -n ls -l --time-style=+%s ${hostPaths.stepLogDir}`);
}

/**
 * A host that came back by itself (reboot, power loss) ran no step: its step logs are as they were,
 * and the executor finds nothing to do (the same machine with the same applied state).
 */
export async function expectNoStepRan(result: DrillResult, host: string, logsBefore: string): Promise<void> {
    expect(result, (await stepLogs(host)) === logsBefore, `a host step ran on ${host} (its step logs changed)`);
    const outcomes = await runHostPlans(releasePlans(currentRelease()));
    const ran = outcomes.filter((o) => o.result === "ran").map((o) => `${o.host}/${o.step}`);
    expect(result, ran.length === 0, `the executor found steps to run after ${host} came back: ${ran.join(", ")}`);
}
