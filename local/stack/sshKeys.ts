import * as fs from "fs";
import * as path from "path";
import { mustRun } from "../run";
import { stateDir } from "./stackLayout";

/**
 * The SSH keys of the local stack, made on first use and kept (0600) under .local-stack/ssh: the
 * operator's key pair the executor logs in with, and one host key per host, which sshd serves and
 * the executor pins, as Pulumi pins each EC2 host's generated key.
 */
const sshDir = path.join(stateDir, "ssh");

export interface KeyPair {
    privateKeyFile: string;
    /** "ssh-ed25519 AAAA... comment" */
    publicKey: string;
}

export const clientUser = "admin";

export async function clientKey(): Promise<KeyPair> {
    return keyPair(path.join(sshDir, "client"), "ha-web-local-operator");
}

export async function hostKey(host: string): Promise<KeyPair> {
    return keyPair(path.join(sshDir, host, "ssh_host_ed25519_key"), `ha-web-local-${host}`);
}

/** What a host container mounts at /etc/ssh/ha-web: its host key and the authorized key of `admin`. */
export async function hostSshDir(host: string): Promise<string> {
    const dir = path.join(sshDir, host);
    await hostKey(host);
    // sshd reads authorized keys as the user: the folder must be traversable, the host key stays 0600.
    fs.chmodSync(dir, 0o755);
    const authorized = path.join(dir, "authorized_keys");
    fs.mkdirSync(authorized, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(authorized, clientUser), `${(await clientKey()).publicKey}\n`, { mode: 0o644 });
    return dir;
}

/** An ED25519 key pair at `file` (+ `.pub`), made with ssh-keygen unless it is there already. */
export async function keyPair(file: string, comment: string): Promise<KeyPair> {
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    }
    return { privateKeyFile: file, publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}
