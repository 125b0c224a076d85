import { expect } from "chai";
import * as net from "net";
import { attackProblems, runSlowClients, SlowClientCounts, SlowClientPlan } from "../../local/drills/slowClients";

const plans: SlowClientPlan[] = [
    { label: "LB slow headers", port: 8080, localAddress: "127.0.0.2", kind: "header", connections: 1000 },
    { label: "host-a slow bodies", port: 8081, localAddress: "127.0.0.3", kind: "body", connections: 1000 },
];
const counts = (label: string, opened: number, errors: Record<string, number> = {}): SlowClientCounts =>
    ({ label, opened, refused: 0, closedByServer: 0, heldAtEnd: opened, errors });

describe("drill 8: the slow-client attack must have happened", () => {
    it("finds nothing wrong when every plan opened at least its connections (re-openings count)", () => {
        expect(attackProblems(plans, [counts("LB slow headers", 1000), counts("host-a slow bodies", 1400)])).to.deep.equal([]);
    });

    it("fails a plan that opened no connection, naming the socket errors it got", () => {
        expect(attackProblems(plans, [counts("LB slow headers", 1000), counts("host-a slow bodies", 0, { ECONNREFUSED: 1000 })]))
            .to.deep.equal(["host-a slow bodies: opened 0 of 1000 connections (1000 x ECONNREFUSED)"]);
    });

    it("fails a plan that opened fewer than planned, and one that never reported", () => {
        expect(attackProblems(plans, [counts("LB slow headers", 999)])).to.deep.equal([
            "LB slow headers: opened 999 of 1000 connections (no socket errors)",
            "host-a slow bodies: no counts (the attack did not run)",
        ]);
    });

    it("an attack on a port where nothing listens opens nothing, counts the refusals, and fails", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as net.AddressInfo).port;
        await new Promise((resolve) => server.close(resolve));
        const plan: SlowClientPlan = { label: "nothing there", port, localAddress: "127.0.0.2", kind: "header", connections: 3 };
        const got = await runSlowClients(plan, 300);
        expect(got.opened).to.equal(0);
        expect(got.errors.ECONNREFUSED).to.be.greaterThan(0);
        expect(attackProblems([plan], [got])).to.have.length(1);
    });
});
