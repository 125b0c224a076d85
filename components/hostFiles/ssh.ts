import type { Client, SFTPWrapper } from "ssh2";

/**
 * The one SSH transport of ha-web: the HostFiles provider (on AWS, inside Pulumi's dynamic provider
 * host) and the local stack's executor both reach hosts through these functions, with `ssh2`.
 *
 * Pulumi serializes the provider's functions into the state (pulumi/pulumi#8090, #13960: a captured
 * module object does not serialize), so modules are `require`d inside the functions that use them
 * and this file imports types only.
 */
export interface SshTarget {
    host: string;
    port: number;
    user: string;
    /** OpenSSH private key of `user`. */
    privateKey: string;
    /**
     * The host's public key as in known_hosts ("ssh-ed25519 AAAA..."): anything else answering on the
     * address is refused before a byte of our data is sent.
     */
    hostKey: string;
}

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface DialOptions {
    /** Keep dialling a host that refuses or times out (a booting instance) for this long in all. */
    timeoutSeconds: number;
}

/** One dial at most this long (handshake included, unlike pulumi-command's TCP-only perDialTimeout), retried until the overall bound. */
const perDialTimeoutMs = 15_000;
const redialDelayMs = 2_000;

/**
 * Connects as `target.user`, verifying the host key. A wrong host key fails at once: a booting EC2
 * host never serves another key first, since cloud-init's ssh module writes the pinned key in the
 * network stage, whose unit (cloud-init.service) is ordered Before=sshd.service (cloud-init's
 * systemd templates). Refusals and time-outs are retried until `timeoutSeconds`.
 */
export async function dial(target: SshTarget, options: DialOptions): Promise<Client> {
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    for (;;) {
        try {
            return await dialOnce(target);
        } catch (error) {
            if ((error as { hostKeyMismatch?: boolean }).hostKeyMismatch || Date.now() + redialDelayMs > deadline) {
                throw new Error(`ssh ${describeTarget(target)}: ${(error as Error).message}`
                    + ((error as { hostKeyMismatch?: boolean }).hostKeyMismatch ? "" : ` (gave up after ${options.timeoutSeconds} s)`));
            }
            await new Promise((resolve) => setTimeout(resolve, redialDelayMs));
        }
    }
}

export function describeTarget(target: Pick<SshTarget, "user" | "host" | "port">): string {
    return `${target.user}@${target.host}:${target.port}`;
}

function dialOnce(target: SshTarget): Promise<Client> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized provider: see the file comment
    const { Client: SshClient } = require("ssh2") as typeof import("ssh2");
    const expected = publicKeyBlob(target.hostKey);
    return new Promise((resolve, reject) => {
        const client = new SshClient();
        let offered: string | undefined;
        client.once("ready", () => resolve(client));
        client.once("error", (error: Error) => {
            client.end();
            if (offered !== undefined) {
                reject(Object.assign(new Error(`the host key does not match the pinned one (offered ${offered}, `
                    + `pinned ${target.hostKey.split(" ").slice(0, 2).join(" ")}); refusing to connect. If the host was `
                    + "rebuilt on purpose, its new key must be in the plan."), { hostKeyMismatch: true }));
            } else {
                reject(error);
            }
        });
        client.connect({
            host: target.host,
            port: target.port,
            username: target.user,
            privateKey: target.privateKey,
            readyTimeout: perDialTimeoutMs,
            keepaliveInterval: 10_000,
            hostVerifier: (key: Buffer) => {
                if (key.equals(expected)) return true;
                offered = key.toString("base64").slice(0, 24) + "...";
                return false;
            },
        });
    });
}

/** The key blob of a known_hosts-style public key line ("ssh-ed25519 AAAA... comment"). */
function publicKeyBlob(line: string): Buffer {
    const [type, base64] = line.trim().split(/\s+/);
    if (!type?.startsWith("ssh-") && !type?.startsWith("ecdsa-") || !base64) {
        throw new Error(`the pinned host key must look like "ssh-ed25519 AAAA...", got "${line.slice(0, 40)}"`);
    }
    return Buffer.from(base64, "base64");
}

/**
 * Runs one command line, exactly as pulumi-command's remote.Command does (commandOutputs.go: one
 * session, `session.Run(cmd)`, stdin from the given text, then EOF).
 */
export function exec(client: Client, command: string, stdin?: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
        client.exec(command, (error, stream) => {
            if (error) return reject(error);
            let stdout = "";
            let stderr = "";
            stream.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            stream.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            stream.once("close", (code: number | null, signal?: string) =>
                resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
            stream.end(stdin ?? "");
        });
    });
}

/** An SFTP session on the connection (it runs as the SSH user, never as root). */
export function sftp(client: Client): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => client.sftp((error, session) => (error ? reject(error) : resolve(session))));
}

/** Writes `data` to `remotePath` readable by the SSH user only. */
export function putFile(session: SFTPWrapper, remotePath: string, data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) =>
        session.writeFile(remotePath, data, { mode: 0o600 }, (error) => (error ? reject(error) : resolve())));
}

export function makeDirectory(session: SFTPWrapper, remotePath: string): Promise<void> {
    return new Promise((resolve, reject) =>
        session.mkdir(remotePath, { mode: 0o700 }, (error) => (error ? reject(error) : resolve())));
}
