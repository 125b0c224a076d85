import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { machineSecretsDir } from "../../components/plan/hostConfigFiles";
import { hostKeyUserData } from "../../components/plan/hostKeyUserData";
import { clientKey, hostKey } from "./sshKeys";
import { stateDir } from "./stackLayout";
import { hostPorts } from "./stackHosts";

/**
 * A host's machine: what EC2 hands an instance at launch, as files its container mounts. A new
 * machine (`npx ha-web up` on a fresh stack, or a replacement) gets a new instance id; a reboot or power
 * loss keeps the machine, as it keeps an instance.
 *
 * - The NoCloud seed is cloud-init's datasource here, EC2's metadata service on AWS. NoCloud's
 *   meta-data "is a YAML formatted file representing what you'd find in the EC2 metadata service"
 *   (cloud-init, doc/rtd/topics/datasources/nocloud.rst). It holds:
 *   - user-data: `hostKeyUserData` of the host's pinned key, the very text components/webTier.ts
 *     gives the instance as `userData`, so cloud-init's ssh module installs the pinned host key;
 *   - meta-data: the instance id and `public-keys`, the key pair's public key, as EC2's metadata
 *     serves it (meta-data/public-keys/0/openssh-key); cloud-init reads that key from any datasource's
 *     metadata (`get_public_ssh_keys`, cloudinit/sources/__init__.py) and its ssh module puts it in
 *     the default user's authorized_keys (the Debian AMI's `admin`).
 * - The address sshd listens on: each host shares this machine's network, so its own address is a
 *   loopback address and port (stand-in for the instance's network interface and Elastic IP).
 */
export interface Machine {
    instanceId: string;
    /** The loopback address the host's sshd listens on (a replacement may get another). */
    sshAddress: string;
}

const machinesDir = path.join(stateDir, "machines");

/** Each host's secrets folder, mounted at hostPaths.secretsDir in its container (HostConfigOptions.machineSecretsRoot). */
export const machineSecretsRoot = path.join(stateDir, "host-secrets");

/** The files a host container mounts. */
export function machineFiles(host: string): { seedDir: string; sshdListen: string; secretsDir: string } {
    const dir = path.join(machinesDir, host);
    return { seedDir: path.join(dir, "seed"), sshdListen: path.join(dir, "sshd-listen.conf"), secretsDir: machineSecretsDir(machineSecretsRoot, host) };
}

/** The host's current machine, if one was launched. */
export function currentMachine(host: string): Machine | undefined {
    const file = recordFile(host);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as Machine : undefined;
}

/** A new machine for `host`: a new instance id, the same user data and key pair, sshd on `sshAddress`. */
export async function launchMachine(host: string, sshAddress = "127.0.0.1"): Promise<Machine> {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(sshAddress)) {
        throw new Error(`a local machine's address must be a loopback address 127.x.y.z (got "${sshAddress}"): the stack only talks on loopback`);
    }
    const machine: Machine = { instanceId: `i-${randomBytes(9).toString("hex").slice(0, 17)}`, sshAddress };
    const { seedDir, sshdListen } = machineFiles(host);
    fs.rmSync(seedDir, { recursive: true, force: true });
    fs.mkdirSync(seedDir, { recursive: true, mode: 0o700 });
    const key = await hostKey(host);
    // The private host key is in the user data, as on EC2: readable by root in the container only.
    fs.writeFileSync(path.join(seedDir, "user-data"), hostKeyUserData(fs.readFileSync(key.privateKeyFile, "utf8"), key.publicKey), { mode: 0o600 });
    // JSON is YAML.
    const metaData = { "instance-id": machine.instanceId, "public-keys": [(await clientKey()).publicKey] };
    fs.writeFileSync(path.join(seedDir, "meta-data"), `${JSON.stringify(metaData, null, 2)}\n`, { mode: 0o600 });
    fs.writeFileSync(sshdListen, `# Stand-in (local stack): this host's own address on the machine's shared network.\nListenAddress ${sshAddress}:${hostPorts(host).sshPort}\n`, { mode: 0o644 });
    fs.writeFileSync(recordFile(host), `${JSON.stringify(machine, null, 2)}\n`);
    return machine;
}

/** The machine is gone for good (its host retired): a host of the same name later is a new instance. */
export function forgetMachine(host: string): void {
    fs.rmSync(path.join(machinesDir, host), { recursive: true, force: true });
}

function recordFile(host: string): string {
    return path.join(machinesDir, host, "machine.json");
}
