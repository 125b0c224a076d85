import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SshTarget } from "../../components/hostFiles/ssh";
import { removeContainer, waitFor } from "../../local/stack/containers";
import { buildSshHostImage, sshHostImage } from "../../local/stack/sshHostImage";
import { canConnect } from "../../local/stack/hosts";
import { docker } from "../../local/run";
import { keyPair } from "../../local/stack/sshKeys";
import { freePort } from "./mariadb";

/** A throwaway SSH host (sshd, sudo, `admin`) on a free loopback port. */
export interface SshHost {
    container: string;
    target: SshTarget;
    /** A host key this host does not have, for refusal tests. */
    otherHostKey: string;
    /** Runs a command in the container as root (assertions only: steps go over SSH). */
    shell(command: string): Promise<string>;
    stop(): Promise<void>;
}

/**
 * Starts one. `authorizedKeyOptions` goes before the operator's key in authorized_keys (e.g. a
 * `command="..."` that records what a client sends); `extraFiles` land in /etc/ssh/ha-web.
 */
export async function startSshHost(options: { authorizedKeyOptions?: string; extraFiles?: Record<string, string>; alsoListenOn?: string } = {}): Promise<SshHost> {
    await buildSshHostImage();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-ssh-host-"));
    fs.chmodSync(dir, 0o755);
    const [client, hostKey, otherHostKey] = await Promise.all(
        ["client", "ssh_host_ed25519_key", "other_host_key"].map((name) => keyPair(path.join(dir, name), "ha-web-test")));
    fs.mkdirSync(path.join(dir, "authorized_keys"), { mode: 0o755 });
    const prefix = options.authorizedKeyOptions ? `${options.authorizedKeyOptions} ` : "";
    fs.writeFileSync(path.join(dir, "authorized_keys", "admin"), `${prefix}${client.publicKey}\n`, { mode: 0o644 });
    for (const [name, text] of Object.entries(options.extraFiles ?? {})) fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });

    const port = await freePort();
    const container = `ha-web-test-ssh-${port}`;
    // A second loopback address, to move the host to another address as an Elastic IP change would.
    const extraAddress = options.alsoListenOn ? ["-o", `ListenAddress=${options.alsoListenOn}:${port}`] : [];
    await docker(["run", "-d", "--name", container, "--network", "host", "--env", `SSH_PORT=${port}`,
        "-v", `${dir}:/etc/ssh/ha-web:ro`, sshHostImage, "/usr/local/sbin/start-sshd", "-D", ...extraAddress]);
    await waitFor(`sshd in ${container}`, 30, () => canConnect(port));
    return {
        container,
        target: {
            host: "127.0.0.1", port, user: "admin",
            privateKey: fs.readFileSync(client.privateKeyFile, "utf8"),
            hostKey: hostKey.publicKey,
        },
        otherHostKey: otherHostKey.publicKey,
        shell: (command) => docker(["exec", container, "bash", "-c", command]),
        async stop() {
            await removeContainer(container);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
