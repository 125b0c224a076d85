import { expect } from "chai";
import { waitForEveryHost } from "../../components/healthGate";
import { pingSite } from "../support/pingSite";

describe("health gate", () => {
    it("passes once every host has answered 200 through the load balancer", async () => {
        const site = await pingSite((n) => ({ host: n % 2 ? "host-b" : "host-a", status: 200 }));
        try {
            const result = await waitForEveryHost({ url: site.url, hosts: ["host-a", "host-b"], instanceIds: ["i-host-a", "i-host-b"], timeoutSeconds: 10 });
            expect(result.seen).to.deep.equal(["i-host-a", "i-host-b"]);
        } finally {
            await site.close();
        }
    });

    it("fails, naming the host that never answered 200, when one host only errors", async () => {
        const site = await pingSite((n) => (n % 2 ? { host: "host-b", status: 502 } : { host: "host-a", status: 200 }));
        try {
            let error: unknown;
            try {
                await waitForEveryHost({ url: site.url, hosts: ["host-a", "host-b"], instanceIds: ["i-host-a", "i-host-b"], timeoutSeconds: 1 });
            } catch (e) {
                error = e;
            }
            expect(String(error)).to.match(/never answered 200 from host-b \(i-host-b\) within 1 s/).and.match(/host-b \(i-host-b\) answered 502/);
        } finally {
            await site.close();
        }
    });

    it("does not let the old host-b (an AMI roll's host, still serving until deleted) pass for the new one", async () => {
        const site = await pingSite((n) => (n % 2 ? { host: "host-b", instance: "i-0old", status: 200 } : { host: "host-a", instance: "i-0a", status: 200 }));
        try {
            const gate = waitForEveryHost({ url: site.url, hosts: ["host-a", "host-b"], instanceIds: ["i-0a", "i-0new"], timeoutSeconds: 1 });
            const error = await gate.then(() => undefined, (e: unknown) => e);
            expect(String(error)).to.match(/never answered 200 from host-b \(i-0new\) within 1 s/).and.match(/answered by other instances: i-0old/);
        } finally {
            await site.close();
        }
    });
});
