import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { freePort } from "./mariadb";

/** The compiled app (`npm --prefix app run build`), started as the hosts start it: plain node. */
export const serverScript = path.join(__dirname, "..", "..", "app", "dist", "server.js");

export interface AppProcess {
    baseUrl: string;
    port: number;
    child: ChildProcess;
    /** Every stdout line so far (the app logs one JSON object per line). */
    lines: string[];
    /** Resolves with the exit code once the process has exited. */
    exited: Promise<number | null>;
    /** Resolves with the first stdout line that contains `text`. */
    waitForLine(text: string): Promise<string>;
    stop(): Promise<number | null>;
}

/** Starts the app on a free loopback port and waits for its "listening" log line. */
export async function startApp(env: Record<string, string>): Promise<AppProcess> {
    const port = await freePort();
    const child = spawn("node", [serverScript], {
        env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const waiters: { text: string; resolve: (line: string) => void }[] = [];
    let stderr = "";
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
        pending += chunk.toString();
        const complete = pending.split("\n");
        pending = complete.pop() ?? "";
        for (const line of complete) {
            lines.push(line);
            for (const waiter of waiters.filter((w) => line.includes(w.text))) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(line);
            }
        }
    });
    child.stderr!.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    const waitForLine = (text: string): Promise<string> => {
        const seen = lines.find((line) => line.includes(text));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then((code) => reject(new Error(`app exited (${code}) before logging "${text}":\n${stderr}`)));
        });
    };
    await waitForLine('"event":"listening"');
    return {
        baseUrl: `http://127.0.0.1:${port}`,
        port,
        child,
        lines,
        exited,
        waitForLine,
        stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
        },
    };
}
