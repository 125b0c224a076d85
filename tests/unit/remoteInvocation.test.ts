import { expect } from "chai";
import { execFileSync } from "child_process";
import { HostStep } from "../../components/plan/hostStep";
import { remoteCommandLine, stepDependencies } from "../../components/plan/remoteInvocation";

const run = (name: string, waitsFor: string[] = [], script = "true"): HostStep => ({ kind: "run", name, waitsFor, triggers: [], script });

describe("remote invocation of host steps", () => {
    it("runs the exact script under its step name, keeping stdin free for inputs", () => {
        const script = "set -euo pipefail\nread -r line\necho \"$0 got: $line 'quoted' \\$HOME\"\n";
        const line = remoteCommandLine({ kind: "run", name: "demo", waitsFor: [], triggers: [], script });
        // Run the same command line locally, with `sudo` stripped (tests run as root).
        const output = execFileSync("bash", ["-c", line.replace(/^sudo /, "")], { input: "hello\n" }).toString();
        expect(output).to.equal("ha-web-demo got: hello 'quoted' $HOME\n");
    });

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
