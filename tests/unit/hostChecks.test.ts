import { expect } from "chai";
import { hostsNotInRotation, mixedReleases, servedReleases } from "../../local/stack/hostChecks";
import { HostStatus } from "../../local/stack/status";
import { serving } from "./support/hostStatus";

describe("host checks of the local stack", () => {
    describe("hostsNotInRotation (before a rollout touches any host)", () => {
        it("passes when every host runs and is UP", () => {
            expect(hostsNotInRotation([serving("host-a", "v1"), serving("host-b", "v1")])).to.deep.equal([]);
        });

        it("names a stopped host and its state", () => {
            const stopped: HostStatus = { ...serving("host-b", "v1"), container: "stopped", target: "DOWN", colours: {}, live: undefined };
            expect(hostsNotInRotation([serving("host-a", "v1"), stopped])).to.deep.equal(["host-b (container stopped, load balancer DOWN)"]);
        });

        it("names a drained host, and one running but DOWN", () => {
            const drained = { ...serving("host-a", "v1"), drained: true, target: "DOWN" };
            const cut = { ...serving("host-b", "v1"), target: "DOWN" };
            expect(hostsNotInRotation([drained, cut])).to.deep.equal([
                "host-a (container running, load balancer DOWN, drained)", "host-b (container running, load balancer DOWN)",
            ]);
        });

        it("counts a host half-way into or out of rotation as not in it", () => {
            expect(hostsNotInRotation([{ ...serving("host-a", "v1"), target: "UP 1/2" }])).to.have.length(1);
            expect(hostsNotInRotation([{ ...serving("host-a", "v1"), target: "DOWN 1/2" }])).to.have.length(1);
        });
    });

    describe("mixedReleases (status)", () => {
        it("says nothing while every host serves one release", () => {
            expect(mixedReleases([serving("host-a", "v2"), serving("host-b", "v2")])).to.equal(undefined);
        });

        it("warns when hosts serve different releases, naming them", () => {
            expect(mixedReleases([serving("host-a", "v5"), serving("host-b", "v4")])).to.equal("WARNING: mixed releases: host-a v5; host-b v4");
        });

        it("reads the live colour, not a second colour still running beside it", () => {
            const twoColours = { ...serving("host-a", "v4"), colours: { blue: "v4", green: "v5" } };
            expect(mixedReleases([twoColours, serving("host-b", "v4")])).to.equal(undefined);
        });

        it("leaves out a host that serves nothing (stopped)", () => {
            const stopped: HostStatus = { ...serving("host-b", "v1"), container: "stopped", colours: {}, live: undefined };
            expect(mixedReleases([serving("host-a", "v2"), stopped])).to.equal(undefined);
            expect([...servedReleases([serving("host-a", "v2"), stopped])]).to.deep.equal([["v2", ["host-a"]]]);
        });
    });
});
