import { mixedReleases } from "./hostChecks";
import { formatNextStep, nextStep, StackState } from "./nextStep";
import type { HostStatus } from "./status";

/**
 * What `status` prints under its table, and what a deploy or rollback stopped half-way (Ctrl-C, or
 * re-applying the last good release failed) prints: both end with the same next step for the
 * same state (nextStep.ts).
 */

/** The lines under the status table: a warning when the hosts serve different releases, the next step when one is due. */
export function statusNotes(state: StackState): string[] {
    const step = nextStep(state);
    return [mixedReleases(state.hosts), step && formatNextStep(step)].filter((line) => line !== undefined);
}

/** Where each host is (live colour and version) after a rollout stopped, and the next step. */
export function stoppedRolloutReport(state: StackState): string {
    const colours = (s: HostStatus) => Object.entries(s.colours).map(([c, v]) => `${c}=${v}`).join(" ");
    const step = nextStep(state);
    return [
        "the hosts now (live colour and version):",
        ...state.hosts.map((s) => `  ${s.host.padEnd(7)} ${s.live ? `${s.live.colour} ${s.live.version ?? "(no answer)"}` : "no live colour"}` +
            (Object.keys(s.colours).length > 1 ? `   (both colours run: ${colours(s)}; the next deploy stops the older)` : "")),
        mixedReleases(state.hosts) ?? "they serve one release",
        step ? formatNextStep(step) : "nothing to put right",
    ].join("\n");
}
