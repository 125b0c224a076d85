import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { accessLogBuffer, hostLogRotation, renderHostConfigFiles, renderNginxMainConfig } from "../../components/plan/hostConfigFiles";
import { HostPorts } from "../../components/plan/hostPorts";
import { HostPaths, hostPaths } from "../../components/plan/hostPaths";
import { liveChain } from "../../components/plan/liveSwitch";
import { removeLiveChain } from "../../local/stack/liveRules";
import { mustRun, run } from "../../local/run";
import { request } from "../../local/http/probe";
import { freePort } from "./mariadb";
import { sampleAppContract } from "./appInputs";
import { testMetrics } from "./metricsDestination";
import { testAppNetwork } from "./appNetwork";

const appDir = path.join(__dirname, "..", "..", "app");

/**
 * A host's web tier on this machine, from the same rendered files a host gets: nginx's main
 * configuration and the ha-web site, in front of two real app processes (blue, green) on loopback
 * ports, without a database (/health at the app answers 503), and the host's own ha-web-live
 * leading the live port to blue (a kernel rule in a chain of its own, removed by `stop`).
 * Everything else lives in a temporary folder.
 */
export interface NginxHost {
    dir: string;
    port: number;
    paths: HostPaths;
    layout: HostPorts;
    colourPorts: { blue: number; green: number };
    apps: ChildProcess[];
    /** Moves the live port to a colour with the host's own ha-web-live. */
    switchTo(colour: "blue" | "green"): Promise<void>;
    /** The access log's lines so far (nginx buffers them: see `flushedAccessLog`). */
    accessLog(): string[];
    /** The access log's lines once nginx has flushed every request answered before the call. */
    flushedAccessLog(): Promise<string[]>;
    errorLog(): string;
    stopColour(index: number): Promise<void>;
    stop(): Promise<void>;
}

export async function startNginxHost(trustedProxyCidr: string): Promise<NginxHost> {
    if (!fs.existsSync(path.join(appDir, "dist", "server.js"))) {
        await mustRun("npm", ["--prefix", appDir, "ci", "--no-audit", "--no-fund"]);
        await mustRun("npm", ["--prefix", appDir, "run", "build"]);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-nginx-"));
    // nginx's workers run unprivileged (www-data) and must see the drain flag, as on a host.
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, "sites"));
    const paths: HostPaths = {
        ...hostPaths,
        drainFlag: path.join(dir, "drained"),
        nginxCloseFlag: path.join(dir, "closing"),
        nginxSite: path.join(dir, "sites", "ha-web.conf"),
        nginxMainConfig: path.join(dir, "nginx.conf"),
        nginxPidFile: path.join(dir, "nginx.pid"),
        nginxAccessLog: path.join(dir, "access.log"),
        nginxInstanceHeader: path.join(dir, "instance-header.conf"),
        nginxErrorLog: path.join(dir, "error.log"),
        liveRecord: path.join(dir, "live-port"),
        liveCommand: path.join(dir, "ha-web-live"),
    };
    const port = await freePort();
    const colourPorts = { blue: await freePort(), green: await freePort() };
    // Named after its port: its live-port chain must not be the local stack's (same kernel).
    const layout: HostPorts = { name: `test-${port}`, nginxPort: port, livePort: await freePort(), bluePort: colourPorts.blue, greenPort: colourPorts.green, sshPort: 22 };
    const files = renderHostConfigFiles(layout, { listen: `127.0.0.1:${port}`, trustedProxyCidr, sharedDataDir: dir, logging: hostLogRotation, metrics: testMetrics, appNetwork: testAppNetwork }, paths, sampleAppContract);
    fs.writeFileSync(paths.nginxMainConfig, renderNginxMainConfig(paths));
    fs.writeFileSync(paths.nginxSite, files.nginxSite);
    // As apply-config writes it on a host.
    fs.writeFileSync(paths.nginxInstanceHeader, `add_header X-Served-By-Instance "i-${port}" always;\n`);
    fs.writeFileSync(paths.liveCommand, files.liveScript, { mode: 0o755 });
    const switchTo = async (colour: "blue" | "green") => { await mustRun(paths.liveCommand, ["set", String(colourPorts[colour])]); };
    await switchTo("blue");
    fs.writeFileSync(path.join(dir, "sites", "temp-paths.conf"), nginxTempPaths(dir).join("\n") + "\n");
    const apps = [colourPorts.blue, colourPorts.green].map((appPort) => startApp(appPort, dir));
    await Promise.all([colourPorts.blue, colourPorts.green].map(waitForPing));
    await mustRun("nginx", ["-c", paths.nginxMainConfig]);
    const readLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "latin1").split("\n").filter((l) => l !== "") : []);
    return {
        dir, port, paths, layout, colourPorts, apps, switchTo,
        accessLog: () => readLines(paths.nginxAccessLog),
        flushedAccessLog: async () => {
            await new Promise((resolve) => setTimeout(resolve, accessLogBuffer.flushSeconds * 1000 + 500));
            return readLines(paths.nginxAccessLog);
        },
        errorLog: () => (fs.existsSync(paths.nginxErrorLog) ? fs.readFileSync(paths.nginxErrorLog, "latin1") : ""),
        stopColour: (index) => stopProcess(apps[index]),
        stop: async () => {
            await run("nginx", ["-c", paths.nginxMainConfig, "-s", "quit"]);
            await Promise.all(apps.map(stopProcess));
            await removeLiveChain(liveChain(layout.name));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The real app (app/dist/server.js). APP_VERSION is baked into the image; run bare, it comes from the environment. */
function startApp(port: number, sharedDir: string): ChildProcess {
    return spawn("node", [path.join(appDir, "dist", "server.js")], {
        env: {
            ...process.env, PORT: String(port), HOST: "127.0.0.1", SHARED_DIR: sharedDir, APP_VERSION: "nginx-test",
            DB_HOST: "127.0.0.1", DB_PORT: "1", DB_NAME: "app", DB_USER: "app", DB_PASSWORD: "unused",
        },
        stdio: "ignore",
    });
}

/** SIGTERM, resolved once the process has exited (at once if it already had). */
export function stopProcess(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
    });
}

/** nginx's temp-path directives into `dir`: other nginx instances on this machine use /var/lib/nginx. */
export function nginxTempPaths(dir: string): string[] {
    return ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t}_temp_path ${dir}/${t};`);
}

/** Polls until the port answers /ping with 200 (bounded). */
export async function waitForPing(port: number): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
        const ok = await request(`http://127.0.0.1:${port}/ping`).then((r) => r.status === 200, () => false);
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nothing on port ${port} answered /ping`);
}
