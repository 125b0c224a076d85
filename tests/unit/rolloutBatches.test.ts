import { expect } from "chai";
import { localHostPorts } from "../../components/plan/hostPorts";
import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import { builtAppSource } from "../../components/plan/hostPlan";
import { batchBefore, rolloutBatches, rolloutBatchSizeProblem } from "../../components/plan/rolloutBatches";
import { planHosts, SharedHostInputs } from "../../components/plan/stackPlan";
import { stepDependencies } from "../../components/plan/stepGraph";
import { sampleAppInputs } from "../support/appInputs";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

const shared: Omit<SharedHostInputs<string>, "rolloutBatchSize"> = {
    trustedProxyCidr: "10.20.0.0/16",
    sharedDataDir: "/shared/data",
    logging: hostLogRotation,
    metrics: testMetrics, appNetwork: testAppNetwork,
    efsDns: "fs-1.efs.us-west-2.amazonaws.com",
    efsAccessPoint: "fsap-01",
    db: {
        host: "db", port: "3306", name: "app", user: "app", password: "pw", adminUser: "admin", adminPassword: "admin-pw",
        tlsCaUrl: "https://truststore.example/bundle.pem",
    },
    appSource: builtAppSource("/repo/app", "ab".repeat(32)),
    app: sampleAppInputs,
};

const fourHosts = ["host-a", "host-b", "host-c", "host-d"];

/** The cross-host steps a host's `step` waits for (same-host ones left out). */
function waitsAcross(batchSize: number, host: string, step: string): string[] {
    const plans = planHosts(fourHosts.map(localHostPorts), { ...shared, rolloutBatchSize: batchSize });
    const ordered = stepDependencies(plans);
    return ordered.get(`${host}/${step}`)!.waits.filter((w) => w.endsWith(`/${step}`) && !w.startsWith(`${host}/`));
}

describe("rollout batches (the first host alone, then rolloutBatchSize hosts at a time)", () => {
    it("walks the table row by row", () => {
        expect(rolloutBatches(["a", "b"], 1)).to.deep.equal([["a"], ["b"]]);
        expect(rolloutBatches(["a", "b", "c", "d"], 1)).to.deep.equal([["a"], ["b"], ["c"], ["d"]]);
        expect(rolloutBatches(["a", "b", "c", "d"], 2)).to.deep.equal([["a"], ["b", "c"], ["d"]]);
        expect(rolloutBatches(["a", "b", "c", "d"], 3)).to.deep.equal([["a"], ["b", "c", "d"]]);
    });

    it("makes each host wait for the whole batch before its own", () => {
        expect(Object.fromEntries(batchBefore(fourHosts, 2))).to.deep.equal({
            "host-a": [], "host-b": ["host-a"], "host-c": ["host-a"], "host-d": ["host-b", "host-c"],
        });
    });

    it("rolls host-b and host-c together after host-a, and host-d only after both (batch 2)", () => {
        expect(waitsAcross(2, "host-a", "rollout")).to.deep.equal([]);
        expect(waitsAcross(2, "host-b", "rollout")).to.deep.equal(["host-a/rollout"]);
        expect(waitsAcross(2, "host-c", "rollout")).to.deep.equal(["host-a/rollout"]);
        expect(waitsAcross(2, "host-d", "rollout")).to.deep.equal(["host-b/rollout", "host-c/rollout"]);
    });

    it("batches every step that touches a serving host, not only the rollout", () => {
        for (const step of ["bootstrap", "mount-shared", "build-image", "apply-config"]) {
            expect(waitsAcross(2, "host-d", step), step).to.deep.equal([`host-b/${step}`, `host-c/${step}`]);
        }
    });

    it("keeps one host after another with batch 1, the default", () => {
        expect(waitsAcross(1, "host-c", "rollout")).to.deep.equal(["host-b/rollout"]);
        expect(waitsAcross(1, "host-c", "apply-config")).to.deep.equal(["host-b/apply-config"]);
    });

    it("refuses a batch that would take every host out, naming the value and the limit", () => {
        expect(rolloutBatchSizeProblem(1, 2)).to.equal(undefined);
        expect(rolloutBatchSizeProblem(3, 4)).to.equal(undefined);
        expect(rolloutBatchSizeProblem(4, 4)).to.contain("from 1 to 3").and.contain("got 4");
        expect(rolloutBatchSizeProblem(1.5, 4)).to.contain("got 1.5");
    });
});
