import * as net from "net";
import { metadataStandInAddress } from "../stack/metadataStandIn";
import { hostAppContainers } from "../stack/hosts";
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

interface Attempt { name: string; command: string }

const attempts: Attempt[] = [
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
        command: `node -e "require('net').connect(${metadataPort}, '${metadataStandInAddress}')`
            + ".on('connect', () => process.exit(0)).on('error', () => process.exit(1))\"",
    },
    {
        name: "write outside its writable paths (/app, /etc, /usr/local/bin)",
        command: "for p in /app/owned /etc/owned /usr/local/bin/owned; do touch \"$p\" 2>/dev/null && exit 0; done; exit 1",
    },
    // Last: the processes it starts hold the container's pids for 3 s, so an attempt after it could fail for that reason alone.
    {
        name: "exhaust the host's processes (1,000)",
        // sh stops with an error at the first fork that fails; it exits 0 only if all 1,000 started.
        command: "i=0; while [ $i -lt 1000 ]; do sleep 3 & i=$((i+1)); done 2>/dev/null; exit 0",
    },
];

/** The metadata stand-in: answers whoever may connect (root here); the hosts' guard rule decides who may. */
async function startMetadataStandIn(): Promise<net.Server> {
    const server = net.createServer((socket) => {
        // A caller that only checks it can connect resets the connection: that is no error of the stand-in.
        socket.on("error", () => undefined);
        socket.end("ami-id\n");
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(metadataPort, metadataStandInAddress, resolve));
    return server;
}

async function rootReaches(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, address).once("connect", () => { socket.destroy(); resolve(true); }).once("error", () => resolve(false));
    });
}

async function tryEscapes(result: DrillResult, container: string): Promise<void> {
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
        const standIn = await startMetadataStandIn();
        try {
            expect(result, await rootReaches(metadataStandInAddress, metadataPort), "the metadata stand-in does not answer root: the attempt below would prove nothing");
            const [container] = await hostAppContainers(attacker, true);
            expect(result, container !== undefined, `${attacker} runs no app container`);
            if (!container) return;
            const before = await appContainerIds();
            const started = Date.now();
            const samples = await underLoad(result, () => tryEscapes(result, container));
            expectNoFailures(result, samples, started);
            const after = await appContainerIds();
            expect(result, before === after, `app containers changed (one was killed or restarted): before ${before}, after ${after}`);
        } finally {
            standIn.close();
        }
    },
};
