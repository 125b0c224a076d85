import { AlarmSpec } from "../../components/plan/alarms";

/** One datapoint as the CloudWatch stand-in stored it: when it arrived, and where it was published. */
export interface Datapoint {
    at: number;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    value: number;
    unit: string;
}

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmEvaluation {
    state: AlarmStateValue;
    /** The statistic of each evaluated period, oldest first; undefined where the period had no datapoint. */
    periods: (number | undefined)[];
}

/**
 * An alarm's state from its definition (the spec `plan/alarms.ts` gives CloudWatch) and the
 * datapoints received, at `now`. Never kinder than CloudWatch: the last `evaluationPeriods` complete
 * periods (aligned to multiples of the period, as CloudWatch aligns them) are evaluated:
 *
 * | treatMissingData | periods with data               | state             |
 * |------------------|---------------------------------|-------------------|
 * | missing          | none                            | INSUFFICIENT_DATA |
 * | missing          | some, every one of them breaches| ALARM             |
 * | notBreaching     | all, every one breaches         | ALARM             |
 * | either           | otherwise                       | OK                |
 *
 * With `missing`, CloudWatch reaches further back for datapoints to fill the missing periods; here
 * fewer breaching periods suffice, so the stand-in fires no later than CloudWatch would.
 */
export function evaluateAlarm(spec: AlarmSpec<string>, datapoints: Datapoint[], now: number): AlarmEvaluation {
    if (!spec.statistic) throw new Error(`alarm ${spec.name}: the stand-in evaluates statistics only (it has ${spec.extendedStatistic})`);
    const periodMs = spec.periodSeconds * 1000;
    const lastEnd = Math.floor(now / periodMs) * periodMs;
    const firstStart = lastEnd - spec.evaluationPeriods * periodMs;
    const ours = datapoints.filter((d) => d.namespace === spec.namespace && d.metricName === spec.metricName
        && sameDimensions(d.dimensions, spec.dimensions) && d.at >= firstStart && d.at < lastEnd);
    const periods = Array.from({ length: spec.evaluationPeriods }, (_, i) => {
        const start = firstStart + i * periodMs;
        const values = ours.filter((d) => d.at >= start && d.at < start + periodMs).map((d) => d.value);
        return values.length === 0 ? undefined : statistic(spec.statistic!, values);
    });
    const present = periods.filter((v): v is number => v !== undefined);
    const breaching = present.filter((v) => breaches(spec, v)).length;
    if (spec.treatMissingData === "missing") {
        if (present.length === 0) return { state: "INSUFFICIENT_DATA", periods };
        return { state: breaching === present.length ? "ALARM" : "OK", periods };
    }
    return { state: breaching === spec.evaluationPeriods ? "ALARM" : "OK", periods };
}

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
    const keys = Object.keys(b);
    return Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
}

function statistic(name: NonNullable<AlarmSpec<string>["statistic"]>, values: number[]): number {
    switch (name) {
        case "Maximum": return Math.max(...values);
        case "Minimum": return Math.min(...values);
        case "Sum": return values.reduce((a, b) => a + b, 0);
        case "Average": return values.reduce((a, b) => a + b, 0) / values.length;
    }
}

function breaches(spec: AlarmSpec<string>, value: number): boolean {
    switch (spec.comparison) {
        case "GreaterThanThreshold": return value > spec.threshold;
        case "GreaterThanOrEqualToThreshold": return value >= spec.threshold;
        case "LessThanThreshold": return value < spec.threshold;
    }
}
