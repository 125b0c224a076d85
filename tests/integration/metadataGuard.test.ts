import { expect } from "chai";
import * as net from "net";
import { hostLogRotation, metadataGuardRule, renderHostConfigFiles } from "../../components/plan/hostConfigFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { localHostPorts } from "../../components/plan/hostPorts";
import { removeMetadataGuard } from "../../local/stack/metadataStandIn";
import { mustRun, run } from "../../local/run";
import { sampleAppContract } from "../support/appInputs";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

/** A loopback stand-in of its own, apart from the local stack's: the rule is in this machine's kernel. */
const address = "127.0.169.253";

/** The unit's ExecStart command, as systemd would run it. */
function guardCommand(): string {
    const unit = renderHostConfigFiles(localHostPorts("host-a", 0), {
        listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir: "/shared/data", logging: hostLogRotation, metrics: testMetrics, appNetwork: testAppNetwork, metadataAddress: address,
    }, hostPaths, sampleAppContract).metadataGuardUnit;
    const command = /^ExecStart=(.+)$/m.exec(unit)?.[1];
    if (!command) throw new Error(`no ExecStart in the metadata guard unit:\n${unit}`);
    return command;
}

/** Whether a TCP connection to the stand-in opens, as `uid` (0: this process's root). */
async function connects(port: number, uid: number): Promise<boolean> {
    const result = await run("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups",
        "bash", "-c", `exec 3<>/dev/tcp/${address}/${port}`]);
    return result.code === 0;
}

const guardRules = async () => (await mustRun("iptables", ["-w", "-S", "OUTPUT"])).split("\n").filter((line) => line.includes(`-d ${address}/32`));

describe("ha-web-metadata-guard.service: instance metadata for root only (the app runs on the host's network as uid 1000)", function () {
    this.timeout(30_000);
    let server: net.Server;
    let port: number;
    before(async () => {
        server = net.createServer((socket) => socket.end());
        await new Promise<void>((resolve) => server.listen(0, address, resolve));
        port = (server.address() as net.AddressInfo).port;
    });
    after(async () => {
        await removeMetadataGuard(address);
        expect(await guardRules(), "rule left behind").to.deep.equal([]);
        server.close();
    });

    it("refuses uid 1000 (the app) while root still reaches the metadata address; running the unit twice adds the rule once", async () => {
        expect(await connects(port, 1000), "uid 1000 before the guard").to.equal(true);
        for (let i = 0; i < 2; i++) await mustRun("bash", ["-c", guardCommand()]);
        expect(await guardRules()).to.have.length(1);
        expect((await guardRules())[0]).to.contain(metadataGuardRule(address));
        expect(await connects(port, 1000), "uid 1000 behind the guard").to.equal(false);
        expect(await connects(port, 0), "root behind the guard").to.equal(true);
    });
});
