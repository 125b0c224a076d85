import * as fs from "fs";
import * as path from "path";
import { mustRun } from "../run";
import { stateDir } from "./stackLayout";

/**
 * The SSH keys of the local stack, made on first use and kept (0600) under .local-stack/ssh: the
 * operator's key pair the executor logs in with (EC2's key pair), and one host key per host, which
 * cloud-init installs from the user data and the executor pins, as Pulumi pins each EC2 host's
 * generated key.
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

/** An ED25519 key pair at `file` (+ `.pub`), made with ssh-keygen unless it is there already. */
export async function keyPair(file: string, comment: string): Promise<KeyPair> {
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    }
    return { privateKeyFile: file, publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}
