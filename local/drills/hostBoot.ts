import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { hostPaths } from "../../components/plan/hostPaths";
import { mustRun } from "../run";
import { outputOnHost } from "../stack/hostAccess";
import { currentMachine, machineFiles } from "../stack/machines";
import { hostNames, hostPorts } from "../stack/stackHosts";
import { Drill, DrillResult, expect } from "./drill";

/** The SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` prints it. */
async function fingerprint(publicKey: string): Promise<string> {
    return (await mustRun("ssh-keygen", ["-l", "-f", "-"], { input: `${publicKey}\n` })).split(" ")[1];
}

/** The ED25519 host key sshd serves on the host's address, as any SSH client would be offered it. */
async function servedHostKey(host: string): Promise<string> {
    const address = currentMachine(host)!.sshAddress;
    const line = (await mustRun("ssh-keyscan", ["-t", "ed25519", "-p", String(hostPorts(host).sshPort), address]))
        .split("\n").find((l) => !l.startsWith("#") && l.includes("ssh-ed25519"));
    if (!line) throw new Error(`ssh-keyscan got no ED25519 key from ${host} (${address}:${hostPorts(host).sshPort})`);
    return line.split(" ").slice(1).join(" ");
}

/** The public host key the machine's user data carries (cloud-config `ssh_keys.ed25519_public`). */
function userDataHostKey(host: string): string {
    const config = yaml.load(fs.readFileSync(path.join(machineFiles(host).seedDir, "user-data"), "utf8")) as { ssh_keys: { ed25519_public: string } };
    return config.ssh_keys.ed25519_public;
}

/**
 * The units the host plan enables (bootstrap, apply-config): each enabled, and running as its own
 * unit, except ha-web-live, a one-shot at boot (it has run only on a host that booted since).
 */
const planUnits = ["docker.service", "nginx.service", "logrotate.timer", path.basename(hostPaths.diskUseTimer)];
const bootUnits = [...planUnits, path.basename(hostPaths.liveUnit)];

/**
 * What EC2's boot leaves behind on a host: cloud-init done, every unit running (the plan's among
 * them), the user data's host key served.
 */
export async function expectBootedLikeEc2(result: DrillResult, host: string): Promise<void> {
    const cloudInit = (await outputOnHost(host, "cloud-init status")).trim();
    const system = (await outputOnHost(host, "systemctl is-system-running || true")).trim();
    const states = async (query: string, units: string[]) => (await outputOnHost(host, `systemctl ${query} ${units.join(" ")} || true`)).trim().split("\n");
    const [active, enabled] = [await states("is-active", planUnits), await states("is-enabled", bootUnits)];
    const problems = [
        ...planUnits.filter((_u, i) => active[i] !== "active").map((u) => `${u} ${active[planUnits.indexOf(u)]}`),
        ...bootUnits.filter((_u, i) => enabled[i] !== "enabled").map((u) => `${u} ${enabled[bootUnits.indexOf(u)]}`),
    ];
    expect(result, problems.length === 0, `units of the plan not running or not enabled on ${host}: ${problems.join(", ")}`);
    const [served, pinned] = await Promise.all([fingerprint(await servedHostKey(host)), fingerprint(userDataHostKey(host))]);
    result.notes.push(`${host}: cloud-init ${cloudInit.replace("status: ", "")}, systemd ${system}, host key ${served} (user data: ${pinned})`);
    expect(result, cloudInit === "status: done", `cloud-init on ${host}: ${cloudInit}`);
    expect(result, system === "running", `systemctl is-system-running on ${host}: ${system}`);
    expect(result, served === pinned, `${host} serves host key ${served}, but its user data carries ${pinned}`);
}

export const bootedLikeEc2: Drill = {
    name: "16 hosts booted like EC2 (cloud-init done from the user data, systemd running, the pinned host key)",
    async run(result) {
        for (const host of hostNames()) await expectBootedLikeEc2(result, host);
    },
};
