import * as fs from "fs";
import { dial, exec, ExecResult } from "../../components/hostFiles/ssh";
import { inspect } from "./containers";
import { formatNextStep, upStep } from "./nextStep";
import { currentMachine } from "./machines";
import { clientKey, clientUser, hostKey } from "./sshKeys";
import { hostContainer } from "./stackLayout";
import { hostPorts } from "./stackHosts";
import type { HostAccess } from "../executor/stepExecutor";

/**
 * How the executor reaches a local host: its sshd on <the machine's address>:<sshPort> as `admin`,
 * pinned to the host key the stack made for it, and the container's id as the machine (a re-created
 * container is a new machine, as a replaced instance is).
 */
export async function hostAccess(host: string): Promise<HostAccess> {
    const machine = await inspect(hostContainer(host), "{{.Id}}");
    const address = currentMachine(host)?.sshAddress;
    if (!machine || !address) throw new Error(`${host} has no container\n${formatNextStep(upStep)}`);
    return {
        target: {
            host: address,
            port: hostPorts(host).sshPort,
            user: clientUser,
            privateKey: fs.readFileSync((await clientKey()).privateKeyFile, "utf8"),
            hostKey: (await hostKey(host)).publicKey,
        },
        machine,
    };
}

/** An operator's command on a host, over SSH as on AWS; its output (stdout, then stderr) is printed when it ends; throws on failure. */
export async function runOnHost(host: string, command: string): Promise<void> {
    const result = await execOnHost(host, command);
    process.stdout.write(result.stdout + result.stderr);
}

/** A command's output on a host, over SSH as on AWS; throws (with the output) on failure. */
export async function outputOnHost(host: string, command: string): Promise<string> {
    return (await execOnHost(host, command)).stdout;
}

/** One command on a host over its pinned SSH connection; an exit other than 0 throws, with the output. */
async function execOnHost(host: string, command: string): Promise<ExecResult> {
    const client = await dial((await hostAccess(host)).target, { timeoutSeconds: 30 });
    try {
        const result = await exec(client, command);
        if (result.code !== 0) throw new Error(`${host}: \`${command}\` exited ${result.code}\n${result.stdout}${result.stderr}`);
        return result;
    } finally {
        client.end();
    }
}
