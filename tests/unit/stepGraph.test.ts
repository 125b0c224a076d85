import { expect } from "chai";
import { HostStep } from "../../components/plan/hostStep";
import { stepDependencies } from "../../components/plan/stepGraph";

const run = (name: string, waitsFor: string[] = []): HostStep => ({ kind: "command", name, waitsFor, triggers: [], command: "true" });

describe("the host plan's step graph", () => {
    it("qualifies same-host dependencies and keeps cross-host ones", () => {
        const deps = stepDependencies([
            { host: "host-a", steps: [run("boot"), run("rollout", ["boot"])] },
            { host: "host-b", steps: [run("boot"), run("rollout", ["boot", "host-a/rollout"])] },
        ]);
        expect(deps.get("host-b/rollout")).to.deep.equal(["host-b/boot", "host-a/rollout"]);
    });

    it("rejects a plan whose step waits for one planned later or not at all", () => {
        expect(() => stepDependencies([
            { host: "host-a", steps: [run("rollout", ["host-b/rollout", "boot"]), run("boot")] },
        ])).to.throw(/host-a\/rollout waits for host-b\/rollout[\s\S]*host-a\/rollout waits for host-a\/boot/);
    });
});
