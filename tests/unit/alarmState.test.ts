import { expect } from "chai";
import { diskUseAlarm, diskUseTiming } from "../../components/plan/diskUse";
import { Datapoint, evaluateAlarm } from "../../local/stack/alarmState";

const spec = diskUseAlarm({ name: "host-a", instanceId: "i-0abc" }, "ha-web/local", 80, { periodSeconds: 10, evaluationPeriods: 2 });
/** A moment just after a period boundary: the periods evaluated are [now-20 s, now-10 s) and [now-10 s, now). */
const now = 1_800_000_000_000;
const point = (secondsAgo: number, value: number, overrides: Partial<Datapoint> = {}): Datapoint => ({
    at: now - secondsAgo * 1000, namespace: "ha-web/local", metricName: "DiskUsedPercent", dimensions: { InstanceId: "i-0abc" }, value, unit: "Percent", ...overrides,
});

describe("the CloudWatch stand-in's alarm evaluation (local/stack/alarmState.ts), row by row", () => {
    it("is insufficient data while nothing was published (treatMissingData missing)", () => {
        expect(evaluateAlarm(spec, [], now)).to.deep.equal({ state: "INSUFFICIENT_DATA", periods: [undefined, undefined] });
    });

    it("fires when every evaluated period's maximum is above the threshold", () => {
        expect(evaluateAlarm(spec, [point(15, 81), point(12, 40), point(5, 90)], now)).to.deep.equal({ state: "ALARM", periods: [81, 90] });
    });

    it("stays OK when one period is at or below the threshold (GreaterThanThreshold)", () => {
        expect(evaluateAlarm(spec, [point(15, 80), point(5, 95)], now).state).to.equal("OK");
    });

    it("fires on the periods that have data when one is missing: never later than CloudWatch", () => {
        expect(evaluateAlarm(spec, [point(5, 85)], now)).to.deep.equal({ state: "ALARM", periods: [undefined, 85] });
    });

    it("with notBreaching, needs every period present and breaching", () => {
        const counting = { ...spec, treatMissingData: "notBreaching" as const };
        expect(evaluateAlarm(counting, [point(5, 85)], now).state).to.equal("OK");
        expect(evaluateAlarm(counting, [point(15, 85), point(5, 85)], now).state).to.equal("ALARM");
    });

    it("evaluates complete periods only: a value in the running period does not count yet", () => {
        expect(evaluateAlarm(spec, [point(15, 90), point(5, 90), point(-1, 10)], now).state).to.equal("ALARM");
        expect(evaluateAlarm(spec, [point(-1, 99)], now).state).to.equal("INSUFFICIENT_DATA");
    });

    it("counts only the alarm's own namespace, metric and dimensions", () => {
        const others = [
            point(5, 99, { dimensions: { InstanceId: "i-0other" } }),
            point(5, 99, { namespace: "ha-web/prod" }),
            point(5, 99, { metricName: "CPUUtilization" }),
            point(5, 99, { dimensions: { InstanceId: "i-0abc", Filesystem: "/" } }),
        ];
        expect(evaluateAlarm(spec, others, now).state).to.equal("INSUFFICIENT_DATA");
    });

    it("takes the definition the program gives CloudWatch: on AWS 5 one-minute periods", () => {
        const aws = diskUseAlarm({ name: "host-a", instanceId: "i-0abc" }, "ha-web/local", 80, diskUseTiming);
        const minutes = [290, 230, 170, 110, 50].map((s) => point(s, 85));
        expect(evaluateAlarm(aws, minutes, now).state).to.equal("ALARM");
        expect(evaluateAlarm(aws, [...minutes.slice(0, 4), point(50, 70)], now).state).to.equal("OK");
    });
});
