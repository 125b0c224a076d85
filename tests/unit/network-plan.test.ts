import { expect } from "chai";
import { formatCidr, internetWideCidrs, parseCidr, subnet } from "../../components/plan/cidr";
import { egressRules, ingressRules, ruleName } from "../../components/plan/firewall";
import { hostAzIndex, hostName, planSubnets } from "../../components/plan/subnets";

describe("network planning", () => {
    it("names SSH CIDRs wider than a /8 for the warning: 0.0.0.0/0, and the two /1 halves that are the internet without saying so", () => {
        expect(internetWideCidrs(["0.0.0.0/1", "128.0.0.0/1"])).to.deep.equal(["0.0.0.0/1", "128.0.0.0/1"]);
        expect(internetWideCidrs(["0.0.0.0/0", "203.0.113.7/32", "10.0.0.0/8", "64.0.0.0/2"])).to.deep.equal(["0.0.0.0/0", "64.0.0.0/2"]);
    });

    it("parses network CIDRs and rejects addresses with host bits or out-of-range parts", () => {
        expect(formatCidr(parseCidr("10.20.0.0/16")!)).to.equal("10.20.0.0/16");
        expect(parseCidr("10.20.0.1/16")).to.equal(undefined);
        expect(parseCidr("300.0.0.0/8")).to.equal(undefined);
        expect(parseCidr("10.0.0.0/33")).to.equal(undefined);
        expect(parseCidr("10.0.0.0")).to.equal(undefined);
    });

    it("computes the n-th subnet and refuses ones AWS would not accept", () => {
        expect(formatCidr(subnet(parseCidr("10.0.0.0/16")!, 4, 1))).to.equal("10.0.16.0/20");
        expect(() => subnet(parseCidr("10.0.0.0/16")!, 4, 16)).to.throw(/no subnet #16/);
        expect(() => subnet(parseCidr("10.0.0.0/26")!, 4, 0)).to.throw(/smaller than AWS allows/);
    });

    it("gives each AZ a public and a private subnet, without overlap", () => {
        const specs = planSubnets("10.20.0.0/16", ["a", "b", "c"]);
        expect(specs.map((s) => `${s.tier} ${s.az} ${s.cidr}`)).to.deep.equal([
            "public a 10.20.0.0/20", "private a 10.20.128.0/20",
            "public b 10.20.16.0/20", "private b 10.20.144.0/20",
            "public c 10.20.32.0/20", "private c 10.20.160.0/20",
        ]);
    });

    it("keeps existing subnets' CIDRs when an AZ is added", () => {
        const two = planSubnets("10.20.0.0/16", ["a", "b"]);
        const three = planSubnets("10.20.0.0/16", ["a", "b", "c"]);
        expect(three.slice(0, 4)).to.deep.equal(two);
    });

    it("names hosts a, b, c... and spreads them round-robin", () => {
        expect([0, 1, 2].map(hostName)).to.deep.equal(["host-a", "host-b", "host-c"]);
        expect([0, 1, 2, 3].map((i) => hostAzIndex(i, 3))).to.deep.equal([0, 1, 2, 0]);
    });

    it("allows 443 only when HTTPS is on, and SSH only from the given CIDRs", () => {
        const plain = ingressRules({ sshAllowedCidrs: ["203.0.113.7/32"], https: false, hostPort: 80 });
        expect(plain.some((r) => r.port === 443)).to.equal(false);
        expect(plain.filter((r) => r.port === 22).map((r) => r.from)).to.deep.equal([{ cidr: "203.0.113.7/32" }]);
        expect(ingressRules({ sshAllowedCidrs: [], https: true, hostPort: 80 }).some((r) => r.port === 443)).to.equal(true);
        expect(egressRules({ hostPort: 80 }).filter((r) => r.tier === "efs" || r.tier === "db")).to.deep.equal([]);
    });

    it("names rules by content so that adding one never renames another", () => {
        expect(ruleName("in", "hosts", 22, { cidr: "203.0.113.7/32" })).to.equal("hosts-in-22-203-0-113-7-32");
        expect(ruleName("out", "hosts", undefined, { cidr: "0.0.0.0/0" })).to.equal("hosts-out-all-0-0-0-0-0");
        expect(ruleName("in", "db", 3306, { tier: "hosts" })).to.equal("db-in-3306-hosts");
    });
});
