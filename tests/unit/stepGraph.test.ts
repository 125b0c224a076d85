import { expect } from "chai";
import { HostStep } from "../../components/plan/step";
import { stepDependencies } from "../../components/plan/stepGraph";

const run = (name: string, waitsFor: string[] = []): HostStep => ({ kind: "command", name, waitsFor, triggers: [], command: "true" });

describe("the host plan's step graph", () => {
    it("qualifies same-host dependencies and keeps cross-host ones", () => {
        const deps = stepDependencies([
            { host: "host-a", steps: [run("boot"), run("rollout", ["boot"])] },
            { host: "host-b", steps: [run("boot"), run("rollout", ["boot", "host-a/rollout"])] },
        ]);
        expect(deps.get("host-b/rollout")?.waits).to.deep.equal(["host-b/boot", "host-a/rollout"]);
    });

    it("orders steps after everything they wait for, a later host's steps included", () => {
        const deps = stepDependencies([
            { host: "host-a", steps: [run("build"), run("migrate", ["build", "host-b/build"]), run("rollout", ["migrate"])] },
            { host: "host-b", steps: [run("build"), run("rollout", ["host-a/rollout"])] },
        ]);
        expect([...deps.keys()]).to.deep.equal(["host-a/build", "host-b/build", "host-a/migrate", "host-a/rollout", "host-b/rollout"]);
    });

    it("rejects a plan whose step waits for one not planned, or steps that wait for each other", () => {
        expect(() => stepDependencies([
            { host: "host-a", steps: [run("rollout", ["host-b/rollout", "boot"])] },
        ])).to.throw(/host-a\/rollout waits for host-b\/rollout, which is not planned[\s\S]*host-a\/rollout waits for host-a\/boot/);
        expect(() => stepDependencies([
            { host: "host-a", steps: [run("boot", ["host-b/boot"])] },
            { host: "host-b", steps: [run("boot", ["host-a/boot"])] },
        ])).to.throw(/in a cycle: host-a\/boot, host-b\/boot/);
    });
});
