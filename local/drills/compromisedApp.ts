import * as net from "net";
import { metadataStandInAddress } from "../stack/metadataStandIn";
import { hostAppContainers } from "../stack/hosts";
import { currentMachine } from "../stack/machines";
import { hostPorts } from "../stack/stackHosts";
import { run } from "../run";
import { appContainerIds } from "./appContainers";
import { Drill, DrillResult, expect, mark } from "./drill";
import { expectNoFailures, underLoad } from "./underLoad";

/**
 * Drill 25: code execution inside the app, the likeliest breach of a web site. The attacker's code
 * runs in host-a's live app container as the app runs (`docker exec`: its user, capabilities,
 * no-new-privileges, cgroup limits, mounts and network) and tries every escape docs/security.md
 * lists. Each attempt is a shell command that exits 0 only if the escape worked.
 */
const attacker = "host-a";
const metadataPort = 8169;
/** Stands for the internet: a loopback listener of the drill's own, on the port an attacker would call home on. */
const internet = { address: "127.0.80.80", port: 8443 };

interface Attempt { name: string; command: string }

/** A shell command that exits 0 only if a TCP connection to address:port opens from the app. */
function connectCommand(address: string, port: number): string {
    return `node -e "require('net').connect(${port}, '${address}')`
        + ".on('connect', () => process.exit(0)).on('error', () => process.exit(1))\"";
}

/** A place on the network the app must not reach; root must (else a refusal would prove nothing). */
interface Forbidden { name: string; address: string; port: number }

/** Besides instance metadata: the hosts' sshd, another host's app, the internet (ha-web-app-network refuses each). */
function forbiddenPlaces(): Forbidden[] {
    const other = hostPorts("host-b");
    const sshAddress = currentMachine(attacker)?.sshAddress ?? "127.0.0.1";
    return [
        { name: `${attacker}'s sshd`, address: sshAddress, port: hostPorts(attacker).sshPort },
        { name: "host-b's app (its live port)", address: "127.0.0.1", port: other.livePort },
        { name: "the internet (a loopback listener on a port the app contract does not name)", ...internet },
    ];
}

function networkAttempts(places: Forbidden[]): Attempt[] {
    return places.map((place) => ({ name: `connect to ${place.name} at ${place.address}:${place.port}`, command: connectCommand(place.address, place.port) }));
}

/** The escapes that do not need the network. */
const escapes: Attempt[] = [
    {
        name: "plant a git hook for root's next deploy (/shared/configs, the deploy history)",
        command: "for d in /shared/configs /var/lib/ha-web/history /shared-data/../configs; do"
            + " mkdir -p \"$d/.git/hooks\" 2>/dev/null && echo 'id > /tmp/owned' > \"$d/.git/hooks/post-commit\" 2>/dev/null && exit 0; done; exit 1",
    },
    {
        name: "read a secret from any process's environment (/proc/*/environ) or the host's secret files",
        command: "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -qE '^[A-Z_]*(PASSWORD|SECRET|TOKEN|KEY)=' && exit 0;"
            + " cat /etc/ha-web/app.env /etc/ha-web/secrets/* 2>/dev/null | grep -q . && exit 0; exit 1",
    },
    { name: "reach the Docker socket", command: "test -S /var/run/docker.sock || test -S /run/docker.sock" },
    {
        name: "gain privileges (capabilities, setuid, chown to root, mount)",
        command: "grep -qE '^CapEff:\\s*0+$' /proc/self/status || exit 0; grep -qE '^NoNewPrivs:\\s*1$' /proc/self/status || exit 0;"
            + " touch /tmp/p && chown 0:0 /tmp/p 2>/dev/null && exit 0; mount -t tmpfs none /tmp 2>/dev/null && exit 0; exit 1",
    },
    {
        name: "exhaust the host's memory (4 GB)",
        command: "node -e 'const a = []; for (let i = 0; i < 64; i++) a.push(Buffer.alloc(64 << 20, 1)); process.exit(0)'",
    },
    {
        name: `reach instance metadata (the stand-in at ${metadataStandInAddress}:${metadataPort})`,
        command: connectCommand(metadataStandInAddress, metadataPort),
    },
    {
        name: "write outside its writable paths (/app, /etc, /usr/local/bin)",
        command: "for p in /app/owned /etc/owned /usr/local/bin/owned; do touch \"$p\" 2>/dev/null && exit 0; done; exit 1",
    },
];

/** Last: the processes it starts hold the container's pids for 3 s, so an attempt after it could fail for that reason alone. */
const processExhaustion: Attempt = {
    name: "exhaust the host's processes (1,000)",
    // sh stops with an error at the first fork that fails; it exits 0 only if all 1,000 started.
    command: "i=0; while [ $i -lt 1000 ]; do sleep 3 & i=$((i+1)); done 2>/dev/null; exit 0",
};

/**
 * A stand-in that answers whoever may connect (root here): instance metadata, the internet. The
 * hosts' rules (the metadata guard, ha-web-app-network) decide who may.
 */
async function startStandIn(address: string, port: number): Promise<net.Server> {
    const server = net.createServer((socket) => {
        // A caller that only checks it can connect resets the connection: that is no error of the stand-in.
        socket.on("error", () => undefined);
        socket.end("hello\n");
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, address, resolve));
    return server;
}

async function rootReaches(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, address).once("connect", () => { socket.destroy(); resolve(true); }).once("error", () => resolve(false));
    });
}

async function tryEscapes(result: DrillResult, container: string, attempts: Attempt[]): Promise<void> {
    for (const attempt of attempts) {
        mark(result, attempt.name.split(" (")[0]);
        const outcome = await run("docker", ["exec", container, "sh", "-c", attempt.command]);
        const line = `${attempt.name}: ${outcome.code === 0 ? "ESCAPED" : `refused (exit ${outcome.code})`}`;
        console.log(`  attempt: ${line}`);
        result.notes.push(line);
        expect(result, outcome.code !== 0, `the app could ${attempt.name}`);
    }
}

export const compromisedApp: Drill = {
    name: "25 compromised app: every escape from its container fails, the hosts keep serving",
    async run(result) {
        const standIns = [await startStandIn(metadataStandInAddress, metadataPort), await startStandIn(internet.address, internet.port)];
        try {
            const places = forbiddenPlaces();
            for (const place of [{ name: "the metadata stand-in", address: metadataStandInAddress, port: metadataPort }, ...places]) {
                expect(result, await rootReaches(place.address, place.port), `${place.name} does not answer root at ${place.address}:${place.port}: the attempt below would prove nothing`);
            }
            const attempts = [...escapes, ...networkAttempts(places), processExhaustion];
            const [container] = await hostAppContainers(attacker, true);
            expect(result, container !== undefined, `${attacker} runs no app container`);
            if (!container) return;
            const before = await appContainerIds();
            const started = Date.now();
            const samples = await underLoad(result, () => tryEscapes(result, container, attempts));
            expectNoFailures(result, samples, started);
            const after = await appContainerIds();
            expect(result, before === after, `app containers changed (one was killed or restarted): before ${before}, after ${after}`);
        } finally {
            standIns.forEach((server) => server.close());
        }
    },
};
