/**
 * How the first host of a rollout judges a release on its own traffic before the rest follow
 * (ha-web-deploy --canary, files/lib/canary-judge.sh). Read by the Pulumi program (stack config)
 * and the local stack (local.settings.json) alike, with the same keys.
 */
export interface CanarySettings {
    /** How long the new colour serves, both colours running, before it is judged. */
    seconds: number;
    /** Requests each colour (old before the switch, new after) must have served to be judged. */
    minRequests: number;
    /** Too few requests: `pass` goes on (saying so); `wait` watches on, a window at a time, and refuses if still too few. */
    tooFewRequests: "pass" | "wait";
    /** The new colour's 5xx share may exceed the old one's by at most this many percentage points. */
    max5xxPoints: number;
    /** The new colour's p99 latency may be at most this many times the old one's... */
    maxP99Ratio: number;
    /** ...or at most this many milliseconds above it (small latencies are noisy). */
    p99SlackMs: number;
}

/** Declared with the same values in Pulumi.yaml (settings.test.ts keeps them equal). */
export const canaryDefaults = {
    canarySeconds: 30,
    canaryMinRequests: 100,
    canaryTooFewRequests: "pass",
    canaryMax5xxPoints: 1,
    canaryMaxP99Ratio: 1.5,
    canaryP99SlackMs: 20,
} as const;

export const canaryKeys = Object.keys(canaryDefaults);

/** ha-web-deploy's `--canary` value: SECONDS:MIN_REQUESTS:TOO_FEW:MAX_5XX_POINTS:MAX_P99_RATIO:P99_SLACK_MS. */
export function canarySpec(canary: CanarySettings): string {
    return [canary.seconds, canary.minRequests, canary.tooFewRequests, canary.max5xxPoints, canary.maxP99Ratio, canary.p99SlackMs].join(":");
}

/** A number setting within [min, max] (whole when `whole`), or a problem naming the key, the value and the range. */
function readNumber(get: (key: string) => string | undefined, key: keyof typeof canaryDefaults, min: number, max: number, whole: boolean, problems: string[]): number {
    const raw = get(key);
    if (raw === undefined) return canaryDefaults[key] as number;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
        problems.push(`${key} must be a ${whole ? "whole " : ""}number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
        return canaryDefaults[key] as number;
    }
    return value;
}

/** The settings when no canary key is set. */
export function defaultCanarySettings(): CanarySettings {
    return readCanarySettings(() => undefined, []);
}

export function readCanarySettings(get: (key: string) => string | undefined, problems: string[]): CanarySettings {
    const tooFew = get("canaryTooFewRequests") ?? canaryDefaults.canaryTooFewRequests;
    if (tooFew !== "pass" && tooFew !== "wait") {
        problems.push(`canaryTooFewRequests must be "pass" (go on, saying so) or "wait" (watch longer), got ${JSON.stringify(tooFew)}`);
    }
    return {
        seconds: readNumber(get, "canarySeconds", 5, 600, true, problems),
        minRequests: readNumber(get, "canaryMinRequests", 1, 1_000_000, true, problems),
        tooFewRequests: tooFew === "wait" ? "wait" : "pass",
        max5xxPoints: readNumber(get, "canaryMax5xxPoints", 0, 100, false, problems),
        maxP99Ratio: readNumber(get, "canaryMaxP99Ratio", 1, 100, false, problems),
        p99SlackMs: readNumber(get, "canaryP99SlackMs", 0, 60_000, true, problems),
    };
}
