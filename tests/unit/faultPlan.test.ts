import { expect } from "chai";
import { localHostPorts } from "../../components/plan/hostPorts";
import { cutHostRule, cutServerRules, delayProxyPort, dropChain, jumps, delayProblem, slowChain, slowHostRule, targetsIn } from "../../local/faults/faultPlan";

describe("fault rules (loopback only, in chains of our own)", () => {
    const hostA = localHostPorts("host-a", 0);

    it("cuts a host by dropping its nginx and sshd packets both ways, never refusing them", () => {
        const rule = cutHostRule(hostA).join(" ");
        expect(rule).to.include("--ports 8081,2201").and.match(/-j DROP$/);
        expect(rule).not.to.include("REJECT");
    });

    it("cuts one database server by its address both ways, its own side of every connection, so not even its FIN or RST gets out", () => {
        const rules = cutServerRules("db-a", "127.0.1.1", [3307, 3308]).map((r) => r.join(" "));
        expect(rules).to.deep.equal([
            "-p tcp -d 127.0.1.1 -m multiport --dports 3307,3308 -m comment --comment ha-web-fault:db-a -j DROP",
            "-p tcp -s 127.0.1.1 -m multiport --sports 3307,3308 -m comment --comment ha-web-fault:db-a -j DROP",
        ]);
        expect(targetsIn(rules.map((r) => `-A HA_WEB_FAULTS ${r}`).join("\n"))).to.deep.equal(["db-a", "db-a"]);
    });

    it("drops on INPUT from lo, so a sender sees silence rather than a send error", () => {
        expect(jumps).to.deep.include(["filter", "INPUT", ["-i", "lo", "-j", dropChain]]);
        expect(jumps.map(([, , rule]) => rule.at(-1))).to.deep.equal([dropChain, slowChain]);
    });

    it("slows a host by redirecting connections to its nginx through its delay proxy, except the proxy's own", () => {
        const rule = slowHostRule(hostA).join(" ");
        expect(rule).to.include("-d 127.0.0.1 --dport 8081").and.include("! --uid-owner");
        expect(rule).to.match(new RegExp(`REDIRECT --to-ports ${delayProxyPort(hostA)}$`));
        expect(delayProxyPort(localHostPorts("host-b", 1))).to.not.equal(delayProxyPort(hostA));
    });

    it("finds whose faults a chain holds from the rules' comments, quoted or not", () => {
        const listing = [
            "-N HA_WEB_FAULTS",
            "-A HA_WEB_FAULTS -p tcp -m multiport --ports 8081,2201 -m comment --comment \"ha-web-fault:host-a\" -j DROP",
            "-A HA_WEB_FAULTS -p tcp -m multiport --ports 3307 -m comment --comment ha-web-fault:database -j DROP",
        ].join("\n");
        expect(targetsIn(listing)).to.deep.equal(["host-a", "database"]);
        expect(targetsIn("-N HA_WEB_FAULTS")).to.deep.equal([]);
    });

    it("takes a delay in whole milliseconds and names a bad one", () => {
        expect(delayProblem("500")).to.equal(undefined);
        for (const bad of ["", "0", "1.5", "500ms", "-3", "60001"]) {
            expect(delayProblem(bad)).to.equal(`needs a delay in whole milliseconds from 1 to 60000, got "${bad}"`);
        }
    });
});
