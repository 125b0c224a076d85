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

/** The colours that answer on a host, as `blue=v1 green=v2` ("" when none). */
export function describeColours(s: HostStatus): string {
    return Object.entries(s.colours).map(([c, v]) => `${c}=${v}`).join(" ");
}

/** The live colour and its version, as `green v2`, or undefined when the host has none. */
export function describeLive(s: HostStatus): string | undefined {
    return s.live && `${s.live.colour} ${s.live.version ?? "(no answer)"}`;
}

/** Where each host is (live colour and version) after a rollout stopped, and the next step. */
export function stoppedRolloutReport(state: StackState): string {
    const step = nextStep(state);
    return [
        "the hosts now (live colour and version):",
        ...state.hosts.map((s) => `  ${s.host.padEnd(7)} ${describeLive(s) ?? "no live colour"}` +
            (Object.keys(s.colours).length > 1 ? `   (both colours run: ${describeColours(s)}; the next deploy stops the older)` : "")),
        mixedReleases(state.hosts) ?? "they serve one release",
        step ? formatNextStep(step) : "nothing to put right",
    ].join("\n");
}
