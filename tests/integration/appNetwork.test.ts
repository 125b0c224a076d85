import { ChildProcess, spawn } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { AppNetworkTarget, renderAppNetworkScript } from "../../components/plan/appNetwork";
import { appNetworkRules, removeAppNetwork } from "../../local/stack/appNetworkRules";
import { mustRun, run } from "../../local/run";

/**
 * ha-web-app-network with real iptables: a uid and chain of the test's own (the rules are in this
 * machine's kernel, so the real app uid 1000 of anyone's stack is never confined by this test), a
 * database, a name server and the things the app must not reach, each a listener on loopback.
 */
const target: AppNetworkTarget = { uid: 64123, chain: "HA_WEB_APP_TEST" };
const database = { address: "127.0.71.1", port: 0 };
const nameServer = "127.0.71.53";
/** Stands for what the app must not reach: sshd, another host's app, the internet. */
const elsewhere = "127.0.71.2";

function listen(address: string, port = 0): Promise<net.Server> {
    const server = net.createServer((socket) => socket.end("hi\n"));
    return new Promise((resolve, reject) => server.once("error", reject).listen(port, address, () => resolve(server)));
}

function portOf(server: net.Server): number {
    return (server.address() as net.AddressInfo).port;
}

/** Whether a TCP connection opens, as `uid` (0: this process's root), and the first bytes come back. */
async function connects(uid: number, address: string, port: number): Promise<boolean> {
    const result = await run("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups",
        "bash", "-c", `exec 3<>/dev/tcp/${address}/${port} && head -c 3 <&3 | grep -q hi`]);
    return result.code === 0;
}

describe("ha-web-app-network: the app's uid reaches its database and DNS only (real iptables)", function () {
    this.timeout(30_000);
    const servers: net.Server[] = [];
    let script: string;
    let appListener: ChildProcess | undefined;

    before(async () => {
        const db = await listen(database.address);
        database.port = portOf(db);
        servers.push(db, await listen(nameServer, 53), await listen(elsewhere, database.port), await listen(database.address, 0), await listen("::1"));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-network-"));
        script = path.join(dir, "ha-web-app-network");
        fs.writeFileSync(script, renderAppNetworkScript({ databaseCidr: `${database.address}/32`, databasePort: database.port }, target), { mode: 0o755 });
    });
    after(async () => {
        appListener?.kill();
        await removeAppNetwork(target);
        expect(await appNetworkRules(target), "rules left behind").to.deep.equal([]);
        servers.forEach((server) => server.close());
    });

    it("before the rules, the uid reaches everything (so the refusals below are the rules' doing)", async () => {
        expect(await connects(target.uid, elsewhere, database.port)).to.equal(true);
    });

    it("refuses the uid everything but its database and DNS, in IPv4 and IPv6; root keeps all; a second run changes nothing", async () => {
        for (let i = 0; i < 2; i++) await mustRun("bash", [script]);
        const rules = await appNetworkRules(target);
        expect(rules.filter((rule) => rule.startsWith("-A OUTPUT")), "one jump per family").to.have.length(2);
        expect(await connects(target.uid, database.address, database.port), "its database").to.equal(true);
        expect(await connects(target.uid, nameServer, 53), "DNS over TCP").to.equal(true);
        expect(await connects(target.uid, elsewhere, database.port), "the database's port elsewhere").to.equal(false);
        expect(await connects(target.uid, database.address, portOf(servers[3])), "another port of the database's address").to.equal(false);
        expect(await connects(target.uid, "::1", portOf(servers[4])), "IPv6 loopback").to.equal(false);
        expect(await connects(0, elsewhere, database.port), "root").to.equal(true);
    });

    it("still answers connections made to it (nginx's): replies pass as established", async () => {
        const free = await listen("127.0.71.9");
        const port = portOf(free);
        await new Promise((resolve) => free.close(resolve));
        appListener = spawn("setpriv", [`--reuid=${target.uid}`, `--regid=${target.uid}`, "--clear-groups",
            "node", "-e", `require("net").createServer((s) => s.end("hi\\n")).listen(${port}, "127.0.71.9")`], { stdio: "ignore" });
        let answered = false;
        for (let tries = 0; tries < 50 && !answered; tries++) {
            answered = await connects(0, "127.0.71.9", port);
            if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(answered, "no answer from the uid's listener within 5 s").to.equal(true);
    });
});
