import "../unit/support/pulumiMocks";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HealthGateInputs } from "../../components/healthGate";
import { pingSite } from "../support/pingSite";
import { serializedProvider } from "../support/serializedProvider";

/**
 * The HealthGate provider, serialized by the program (so what runs is what Pulumi would run), against
 * a loopback stand-in for the load balancer: the gate's own HTTP client, closures and all, must work
 * from the serialized text.
 */
describe("HealthGate provider (serialized by the program, polling a real HTTP server)", function () {
    this.timeout(60_000);
    let provider: pulumi.dynamic.ResourceProvider;

    before(async () => {
        provider = await serializedProvider("pulumi-nodejs:dynamic/ha-web:HealthGate", "health-gate");
    });

    const inputs = (url: string, timeoutSeconds: number): HealthGateInputs => ({
        url, listenerArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2", hosts: ["host-a", "host-b"], instanceIds: ["i-host-a", "i-host-b"], configDigest: "digest", timeoutSeconds, release: "v2",
    });

    it("creates once every host has answered /ping with 200, recording which hosts it saw", async () => {
        const site = await pingSite((n) => ({ host: n % 2 ? "host-b" : "host-a", status: 200 }));
        try {
            const { id, outs } = await provider.create!(inputs(site.url, 10));
            expect(id).to.match(/^health-gate-\d+$/);
            expect(outs).to.include({ url: site.url, release: "v2" });
            expect(outs.seen).to.deep.equal(["i-host-a", "i-host-b"]);
            expect(outs.attempts).to.be.at.least(2);
        } finally {
            await site.close();
        }
    });

    it("fails an update, naming the host that never answered 200 and what it answered", async () => {
        const site = await pingSite((n) => (n % 2 ? { host: "host-b", status: 502 } : { host: "host-a", status: 200 }));
        try {
            const news = inputs(site.url, 1);
            const error = await provider.update!("id", news, news).then(() => undefined, (e: Error) => e);
            expect(String(error)).to.match(/never answered 200 from host-b \(i-host-b\) within 1 s/).and.match(/host-b \(i-host-b\) answered 502/);
        } finally {
            await site.close();
        }
    });

    it("fails when nothing answers at the load balancer's address", async () => {
        const site = await pingSite(() => ({ host: "host-a", status: 200 }));
        await site.close();
        const error = await provider.create!(inputs(site.url, 1)).then(() => undefined, (e: Error) => e);
        expect(String(error)).to.match(/never answered 200 from host-a \(i-host-a\), host-b \(i-host-b\) within 1 s/).and.match(/ECONNREFUSED/);
    });
});
