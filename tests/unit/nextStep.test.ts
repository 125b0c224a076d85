import { expect } from "chai";
import { formatNextStep, nextStep, StackState } from "../../local/stack/nextStep";
import { statusNotes, stoppedRolloutReport } from "../../local/stack/stateReports";
import { HostStatus } from "../../local/stack/status";
import { serving } from "./support/hostStatus";

const up = (hosts: HostStatus[], current?: string): StackState => ({ up: true, hosts, current });
const command = (state: StackState) => nextStep(state)?.command;

describe("nextStep: one suggestion per state of the local stack", () => {
    describe("row by row of its table", () => {
        it("up, when the stack is not up or a host has no container", () => {
            expect(command({ up: false, hosts: [] })).to.equal("npx ha-web up");
            expect(command(up([serving("host-a", "v1"), { ...serving("host-b", "v1"), container: "absent", live: undefined, colours: {} }], "v1")))
                .to.equal("npx ha-web up");
        });

        it("start-host for a stopped host", () => {
            const stopped: HostStatus = { ...serving("host-b", "v1"), container: "stopped", target: "DOWN", colours: {}, live: undefined };
            expect(nextStep(up([serving("host-a", "v1"), stopped], "v1"))).to.deep.equal({ command: "npx ha-web start-host host-b", because: "host-b is stopped" });
        });

        it("undrain-host for a drained host", () => {
            expect(command(up([{ ...serving("host-a", "v1"), drained: true, target: "DOWN" }, serving("host-b", "v1")], "v1")))
                .to.equal("npx ha-web undrain-host host-a");
        });

        it("status (wait) for a host coming back into rotation", () => {
            expect(nextStep(up([{ ...serving("host-a", "v1"), target: "DOWN 1/2" }], "v1"))).to.deep.equal({
                command: "npx ha-web status", because: "host-a is coming back into rotation (DOWN 1/2): wait until status shows it UP",
            });
        });

        it("heal-host for a host running but out of rotation otherwise (cut or slowed)", () => {
            expect(command(up([serving("host-a", "v1"), { ...serving("host-b", "v1"), target: "DOWN" }], "v1"))).to.equal("npx ha-web heal-host host-b");
            expect(command(up([{ ...serving("host-a", "v1"), target: "UP 1/2" }], "v1"))).to.equal("npx ha-web heal-host host-a");
        });

        it("rollback to the current release when hosts serve different ones, naming the other way", () => {
            expect(nextStep(up([serving("host-a", "my-3"), serving("host-b", "my-2")], "my-2"))).to.deep.equal({
                command: "npx ha-web rollback my-2",
                because: "puts every host on my-2, the release last rolled out on every host; to put them on my-3 instead: npx ha-web rollback my-3",
            });
        });

        it("rollback to the first host's release when the current one is served nowhere", () => {
            expect(command(up([serving("host-a", "v5"), serving("host-b", "v4")], "v3"))).to.equal("npx ha-web rollback v5");
        });

        it("none while every host is in rotation serving one release", () => {
            expect(nextStep(up([serving("host-a", "v2"), serving("host-b", "v2")], "v2"))).to.equal(undefined);
        });
    });

    it("puts hosts before releases: a rollout needs every host in rotation", () => {
        const drained = { ...serving("host-b", "v1"), drained: true, target: "DOWN" };
        expect(command(up([serving("host-a", "v2"), drained], "v1"))).to.equal("npx ha-web undrain-host host-b");
    });

    it("reads as one line", () => {
        expect(formatNextStep({ command: "npx ha-web up", because: "the local stack is not up" })).to.equal("next: npx ha-web up   (the local stack is not up)");
    });

    describe("the same state, the same suggestion from status and from a deploy stopped by Ctrl-C", () => {
        const states: [string, StackState][] = [
            ["a rollout of my-3 stopped after host-a", up([serving("host-a", "my-3"), serving("host-b", "my-2")], "my-2")],
            ["a host stopped meanwhile", up([serving("host-a", "my-3"), { ...serving("host-b", "my-2"), container: "stopped", target: "DOWN", live: undefined, colours: {} }], "my-2")],
            ["a host coming back", up([serving("host-a", "my-2"), { ...serving("host-b", "my-2"), target: "DOWN 1/2" }], "my-2")],
        ];
        for (const [name, state] of states) {
            it(name, () => {
                const next = formatNextStep(nextStep(state)!);
                expect(statusNotes(state).at(-1)).to.equal(next);
                expect(stoppedRolloutReport(state).split("\n").at(-1)).to.equal(next);
            });
        }

        it("after Ctrl-C in a deploy of my-3 that had switched host-a: back to my-2, the way to finish my-3 named", () => {
            expect(stoppedRolloutReport(states[0][1])).to.equal([
                "the hosts now (live colour and version):",
                "  host-a  blue my-3",
                "  host-b  blue my-2",
                "WARNING: mixed releases: host-a my-3; host-b my-2",
                "next: npx ha-web rollback my-2   (puts every host on my-2, the release last rolled out on every host; " +
                "to put them on my-3 instead: npx ha-web rollback my-3)",
            ].join("\n"));
        });

        it("says so when a stopped rollout had switched no host", () => {
            const state = up([serving("host-a", "my-2"), serving("host-b", "my-2")], "my-2");
            expect(statusNotes(state)).to.deep.equal([]);
            expect(stoppedRolloutReport(state).split("\n").slice(-2)).to.deep.equal(["they serve one release", "nothing to put right"]);
        });
    });
});
