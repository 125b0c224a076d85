import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ensureContainer, EnsureOutcome, isRunning, projectContainers, removeContainer, waitFor } from "./containers";
import { databaseCaFile, publishedDatabaseCa } from "./database";
import { liveChain } from "../../components/plan/liveSwitch";
import { removeLiveChain } from "./liveRules";
import { docker, dockerOk } from "../run";
import { hostSshDir } from "./sshKeys";
import { appProjects, hostContainer, hostImage, hostPorts, sharedDir, stateDir } from "./stackLayout";

/**
 * A local "EC2 host": a container on this machine's network with nginx in the foreground. It drives
 * this machine's Docker daemon through the socket, so the app containers deploy.sh starts are its
 * siblings, and bind sources (the shared directory) resolve on this machine.
 */
export async function ensureHost(host: string): Promise<EnsureOutcome> {
    fs.mkdirSync(sharedDir, { recursive: true });
    const outcome = await ensureContainer({
        name: hostContainer(host),
        image: hostImage(host),
        runArgs: [
            "--hostname", host,
            "--network", "host",
            // Its own name resolves, as on EC2 (sudo looks it up; without it every step warns).
            "--add-host", `${host}:127.0.0.1`,
            // tini as PID 1 reaps what sshd and the steps leave behind; the entrypoint starts sshd.
            "--init",
            // ha-web-live's kernel redirect (the live app port). Not --privileged: only this capability.
            "--cap-add", "NET_ADMIN",
            "--env", `SSH_PORT=${hostPorts(host).sshPort}`,
            // Its host key and the operator's authorized key, made by the stack (sshKeys.ts).
            "-v", `${await hostSshDir(host)}:/etc/ssh/ha-web:ro`,
            "-v", "/var/run/docker.sock:/var/run/docker.sock",
            // /shared as on EC2 (EFS); the same directory at its own path too, so the compose files a
            // host writes name bind sources that exist on this machine's daemon.
            "-v", `${sharedDir}:/shared`,
            "-v", `${sharedDir}:${sharedDir}`,
            // Where this stack "publishes" its database CA, as AWS publishes RDS's bundle.
            "-v", `${databaseCaFile}:${publishedDatabaseCa}:ro`,
        ],
    });
    // A host that was stopped hard comes back with the app containers it had, as a rebooted EC2 does.
    if (outcome === "started") await restartStoppedApps(host);
    // Only sshd: nginx serves nothing until the host-config steps placed and applied its site.
    await waitForPort(host, "sshd", hostPorts(host).sshPort);
    return outcome;
}

/** Power loss: the host and its app containers are killed at once (SIGKILL, nothing drains). */
export async function stopHostHard(host: string): Promise<"stopped" | "already stopped"> {
    if (!(await isRunning(hostContainer(host)))) return "already stopped";
    const apps = (await Promise.all(appProjects(host).map((p) => projectContainers(p, true)))).flat();
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
    const ids = (await Promise.all(appProjects(host).map((p) => projectContainers(p, true)))).flat();
    return Promise.all(ids.map(async (id) => {
        const [restarts, startedAt] = (await docker(["inspect", "--format", "{{.RestartCount}} {{.State.StartedAt}}", id])).trim().split(" ");
        return { id, restarts: Number(restarts), startedAt };
    }));
}

/**
 * A reboot, as far as this machine can stage one without restarting the Docker daemon other work
 * shares: every process of the host stops, and only what starts at boot brings it back.
 * - The host container restarts: its entrypoint starts sshd and nginx again (on EC2: systemd's
 *   enabled units), with its disk (the host plan's files and step logs) as it was.
 * - Each app container is stopped from inside, SIGTERM to its init as dockerd's shutdown sends, and
 *   exits on its own; nothing but its restart policy (`restart: unless-stopped`) starts it again.
 *   `docker stop` or `docker kill` would count as stopped on purpose, and the policy would not act.
 * Not staged: dockerd itself restarting, and systemd starting Docker only after /shared is mounted.
 */
export async function rebootHost(host: string): Promise<void> {
    const apps = await appContainerStates(host);
    await Promise.all([
        docker(["restart", "--time", "10", hostContainer(host)]),
        // `kill` is the shell's builtin, so the app image needs nothing extra; the container may exit before exec returns.
        ...apps.map((app) => dockerOk(["exec", app.id, "sh", "-c", "kill -TERM 1"])),
    ]);
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

/** Removes the host and the app containers it started. */
export async function removeHost(host: string): Promise<void> {
    const apps = (await Promise.all(appProjects(host).map((p) => projectContainers(p, false)))).flat();
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
    await waitForPort(host, "sshd", sshPort);
    await waitForPort(host, "nginx", nginxPort);
}

async function waitForPort(host: string, what: string, port: number): Promise<void> {
    await waitFor(`${what} on ${host} (127.0.0.1:${port})`, 30, () => canConnect(port));
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
        socket.on("connect", () => { socket.end(); resolve(true); });
        socket.on("error", () => resolve(false));
    });
}
