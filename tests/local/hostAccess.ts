import * as fs from "fs";
import { dial, exec } from "../../components/hostFiles/ssh";
import { inspect } from "./containers";
import { clientKey, clientUser, hostKey } from "./sshKeys";
import { hostContainer, hostLayout } from "./stackLayout";
import type { HostAccess } from "./stepExecutor";

/**
 * How the executor reaches a local host: its sshd on 127.0.0.1:<sshPort> as `admin`, pinned to the
 * host key the stack made for it, and the container's id as the machine (a re-created container is
 * a new machine, as a replaced instance is).
 */
export async function hostAccess(host: string): Promise<HostAccess> {
    const machine = await inspect(hostContainer(host), "{{.Id}}");
    if (!machine) throw new Error(`${host} has no container: run \`npm run local:up\``);
    return {
        target: {
            host: "127.0.0.1",
            port: hostLayout(host).sshPort,
            user: clientUser,
            privateKey: fs.readFileSync((await clientKey()).privateKeyFile, "utf8"),
            hostKey: (await hostKey(host)).publicKey,
        },
        machine,
    };
}

/** An operator's command on a host, over SSH as on AWS; its output is streamed; throws on failure. */
export async function runOnHost(host: string, command: string): Promise<void> {
    process.stdout.write(await outputOnHost(host, command));
}

/** A command's output (stdout and stderr) on a host, over SSH; throws on failure. */
export async function outputOnHost(host: string, command: string): Promise<string> {
    const client = await dial((await hostAccess(host)).target, { timeoutSeconds: 30 });
    try {
        const result = await exec(client, command);
        if (result.code !== 0) throw new Error(`${host}: \`${command}\` exited ${result.code}: ${result.stderr.trim()}`);
        return result.stdout + result.stderr;
    } finally {
        client.end();
    }
}
