import { expect } from "chai";
import { hostsNotInRotation, mixedReleases } from "../../local/stack/hostChecks";
import { HostStatus } from "../../local/stack/status";

const serving = (host: string, version: string): HostStatus => ({
    host, container: "running", drained: false, target: "UP", colours: { blue: version }, live: { colour: "blue", version }, health: 200,
});

describe("host checks of the local stack", () => {
    describe("hostsNotInRotation (before a rollout touches any host)", () => {
        it("passes when every host runs and is UP", () => {
            expect(hostsNotInRotation([serving("host-a", "v1"), serving("host-b", "v1")])).to.deep.equal([]);
        });

        it("names a stopped host, its state and the command that starts it", () => {
            const stopped: HostStatus = { ...serving("host-b", "v1"), container: "stopped", target: "DOWN", colours: {}, live: undefined };
            expect(hostsNotInRotation([serving("host-a", "v1"), stopped]))
                .to.deep.equal(["host-b (container stopped, load balancer DOWN): npm run local:start-host host-b"]);
        });

        it("sends a drained host to undrain, and a cut one (running, DOWN) to heal", () => {
            const drained = { ...serving("host-a", "v1"), drained: true, target: "DOWN" };
            const cut = { ...serving("host-b", "v1"), target: "DOWN" };
            const [a, b] = hostsNotInRotation([drained, cut]);
            expect(a).to.equal("host-a (container running, load balancer DOWN, drained): npm run local:undrain-host host-a");
            expect(b).to.include("npm run local:heal-host host-b");
        });

        it("counts a host half-way into or out of rotation as not in it", () => {
            expect(hostsNotInRotation([{ ...serving("host-a", "v1"), target: "UP 1/2" }])).to.have.length(1);
            expect(hostsNotInRotation([{ ...serving("host-a", "v1"), target: "DOWN 1/2" }])[0]).to.include("wait");
        });
    });

    describe("mixedReleases (local:status)", () => {
        it("says nothing while every host serves one release", () => {
            expect(mixedReleases([serving("host-a", "v2"), serving("host-b", "v2")])).to.equal(undefined);
        });

        it("warns when hosts serve different releases, naming them and the commands that converge", () => {
            expect(mixedReleases([serving("host-a", "v5"), serving("host-b", "v4")])).to.equal(
                "WARNING: mixed releases: host-a v5; host-b v4. Put every host on one: npm run local:rollback v5 or npm run local:rollback v4");
        });

        it("reads the live colour, not a second colour still running beside it", () => {
            const twoColours = { ...serving("host-a", "v4"), colours: { blue: "v4", green: "v5" } };
            expect(mixedReleases([twoColours, serving("host-b", "v4")])).to.equal(undefined);
        });

        it("leaves out a host that serves nothing (stopped)", () => {
            const stopped: HostStatus = { ...serving("host-b", "v1"), container: "stopped", colours: {}, live: undefined };
            expect(mixedReleases([serving("host-a", "v2"), stopped])).to.equal(undefined);
        });
    });
});
