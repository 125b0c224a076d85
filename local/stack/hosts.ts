import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { amiImage } from "./amiImage";
import { ensureContainer, EnsureOutcome, inspect, isRunning, projectContainers, removeContainer, waitFor } from "./containers";
import { databaseCaFile, publishedDatabaseCa } from "./database";
import { resolvConf } from "./databaseDns";
import { hostPaths } from "../../components/plan/hostPaths";
import { liveChain } from "../../components/plan/liveSwitch";
import { removeLiveChain } from "./liveRules";
import { docker, dockerOk } from "../run";
import { runOnHost } from "./hostAccess";
import { currentMachine, launchMachine, machineFiles } from "./machines";
import { appProjects, hostContainer, sharedDir, stateDir } from "./stackLayout";
import { hostPorts } from "./stackHosts";

/**
 * A local "EC2 host": a container that boots the AMI stand-in with systemd as PID 1 and, at first
 * boot, cloud-init from the machine's seed (machines.ts): nothing else configures it before the first
 * SSH step. It shares this machine's network (every listener on 127.0.0.1-style addresses) and drives
 * this machine's Docker engine through the socket, so the app containers deploy.sh starts are its
 * siblings and bind sources (the shared directory) resolve on this machine.
 */
export async function ensureHost(host: string): Promise<EnsureOutcome> {
    fs.mkdirSync(sharedDir, { recursive: true });
    const machine = currentMachine(host) ?? await launchMachine(host);
    const { seedDir, sshdListen, secretsDir } = machineFiles(host);
    fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
    const outcome = await ensureContainer({
        name: hostContainer(host),
        image: amiImage,
        runArgs: [
            // Stand-in: the name bootstrap gives the host (hostnamectl cannot rename a container:
            // Docker owns /etc/hostname), and its lookup (on EC2, the VPC's DNS).
            "--hostname", host,
            "--add-host", `${host}:127.0.0.1`,
            "--network", "host",
            // systemd as PID 1, without --privileged (this machine's runtime refuses it).
            "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
            "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock",
            // ha-web-live's kernel redirect (the live app port).
            "--cap-add", "NET_ADMIN",
            // `systemctl reboot` ends PID 1 (no CAP_SYS_BOOT): Docker starts the machine again, as EC2 does.
            "--restart", "unless-stopped",
            // What EC2 gives the instance: user data and the key pair's public key (cloud-init's seed).
            "-v", `${seedDir}:/var/lib/cloud/seed/nocloud:ro`,
            "-v", `${sshdListen}:/etc/ssh/sshd_config.d/ha-web-local-listen.conf:ro`,
            // Stand-in for the host's own Docker engine: this machine's (the image's docker.service waits for it).
            "-v", "/var/run/docker.sock:/run/docker.sock",
            // Stand-in for EFS at /shared (a bind mount: the kernel here has no NFS client); the same
            // directory at its own path too, so the compose files a host writes name bind sources
            // that exist on this machine's daemon.
            "-v", `${sharedDir}:/shared`,
            "-v", `${sharedDir}:${sharedDir}`,
            // The host's own disk for the app's secret files, at a path this machine's daemon resolves too.
            "-v", `${secretsDir}:${hostPaths.secretsDir}`,
            // Where this stack "publishes" its database CA, as AWS publishes RDS's bundle.
            "-v", `${databaseCaFile}:${publishedDatabaseCa}:ro`,
            // Stand-in for the VPC's resolver, which answers for the RDS endpoint: the stack's name server.
            "-v", `${resolvConf}:/etc/resolv.conf:ro`,
        ],
        // A new machine (new instance id or address) is a new container.
        mountedContent: JSON.stringify(machine),
    });
    // A host that was stopped hard comes back with the app containers it had, as a rebooted EC2 does.
    if (outcome === "started") await restartStoppedApps(host);
    // Only sshd: nginx serves nothing until the host-config steps placed and applied its site.
    await waitForPort(host, "sshd", machine.sshAddress, hostPorts(host).sshPort);
    return outcome;
}

/** Power loss: the host and its app containers are killed at once (SIGKILL, nothing drains). */
export async function stopHostHard(host: string): Promise<"stopped" | "already stopped"> {
    if (!(await isRunning(hostContainer(host)))) return "already stopped";
    const apps = await hostAppContainers(host, true);
    // Remember what was running, so start-host brings back exactly that (a booting EC2 host restarts
    // its `restart: unless-stopped` containers the same way).
    fs.writeFileSync(stoppedFile(host), JSON.stringify(apps));
    await docker(["kill", hostContainer(host), ...apps]);
    return "stopped";
}

/** An app container's restart count and start time, as the daemon reports them. */
export interface AppContainerState {
    id: string;
    restarts: number;
    startedAt: string;
}

/** The host's running app containers (the live colour, and the other one during a rollout). */
export async function appContainerStates(host: string): Promise<AppContainerState[]> {
    const ids = await hostAppContainers(host, true);
    return Promise.all(ids.map(async (id) => {
        const [restarts, startedAt] = (await docker(["inspect", "--format", "{{.RestartCount}} {{.State.StartedAt}}", id])).trim().split(" ");
        return { id, restarts: Number(restarts), startedAt };
    }));
}

/**
 * A reboot through systemd, as EC2's reboot action asks the guest for one: units stop in order, PID 1
 * ends, and the container's restart policy boots the same machine again (same disk: the host plan's
 * files and step logs), where only enabled units bring it back. Meanwhile each app container is
 * stopped from inside, SIGTERM to its init as the host's shutdown sends, and exits on its own; nothing
 * but its restart policy (`restart: unless-stopped`) starts it again. `docker stop` or `docker kill`
 * would count as stopped on purpose, and the policy would not act.
 * Not staged: this machine's Docker engine restarting (hosts share it), so the app containers come
 * back by the engine's policy, not after the host's docker.service.
 */
export async function rebootHost(host: string): Promise<void> {
    const apps = await appContainerStates(host);
    const boots = await restartCount(host);
    await Promise.all([
        // --no-block: the exit status comes back before sshd stops.
        runOnHost(host, "sudo -n systemctl reboot --no-block"),
        // `kill` is the shell's builtin, so the app image needs nothing extra; the container may exit before exec returns.
        ...apps.map((app) => dockerOk(["exec", app.id, "sh", "-c", "kill -TERM 1"])),
    ]);
    await waitFor(`${host} to boot again (container restarted)`, 90, async () => (await restartCount(host)) > boots);
}

async function restartCount(host: string): Promise<number> {
    return Number(await inspect(hostContainer(host), "{{.RestartCount}}"));
}

export async function startHost(host: string): Promise<void> {
    if (!(await isRunning(hostContainer(host)))) {
        await docker(["start", hostContainer(host)]);
    }
    await restartStoppedApps(host);
    await waitForNginx(host);
}

async function restartStoppedApps(host: string): Promise<void> {
    const file = stoppedFile(host);
    const apps: string[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
    if (apps.length > 0) await docker(["start", ...apps]);
    fs.rmSync(file, { force: true });
}

/**
 * Replaces the host's machine, as a replaced EC2 instance: the old one is terminated (its container
 * and app containers removed), a new one boots from the AMI with the same user data and key pair, a
 * new instance id and the address `sshAddress` (as a new Elastic IP gives). No step runs here: the
 * executor finds a new machine and runs every step again.
 */
export async function replaceMachine(host: string, sshAddress: string): Promise<void> {
    await removeHost(host);
    await launchMachine(host, sshAddress);
    await ensureHost(host);
}

/** The ids of the app containers a host started (both colours' compose projects); running ones, or all. */
export async function hostAppContainers(host: string, onlyRunning: boolean): Promise<string[]> {
    return (await Promise.all(appProjects(host).map((p) => projectContainers(p, onlyRunning)))).flat();
}

/** Removes the host and the app containers it started. */
export async function removeHost(host: string): Promise<void> {
    const apps = await hostAppContainers(host, false);
    if (apps.length > 0) await docker(["rm", "-f", ...apps]);
    await removeContainer(hostContainer(host));
    // The host's live-port rule is in this machine's kernel (hosts share its network), not in the container.
    await removeLiveChain(liveChain(host));
    fs.rmSync(stoppedFile(host), { force: true });
}

function stoppedFile(host: string): string {
    return path.join(stateDir, `stopped-${host}.json`);
}

async function waitForNginx(host: string): Promise<void> {
    const { nginxPort, sshPort } = hostPorts(host);
    await waitForPort(host, "sshd", currentMachine(host)?.sshAddress ?? "127.0.0.1", sshPort);
    await waitForPort(host, "nginx", "127.0.0.1", nginxPort);
}

async function waitForPort(host: string, what: string, address: string, port: number): Promise<void> {
    // A boot takes a few seconds (systemd, then cloud-init before sshd); more on a busy machine.
    await waitFor(`${what} on ${host} (${address}:${port})`, 60, () => canConnect(port, address));
}

/** Whether something accepts TCP connections on address:port (a loopback address). */
export function canConnect(port: number, address = "127.0.0.1"): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: address, port });
        socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
        socket.on("connect", () => { socket.end(); resolve(true); });
        socket.on("error", () => resolve(false));
    });
}
