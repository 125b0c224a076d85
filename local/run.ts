import { spawn } from "child_process";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    input?: string;
    /** Extra environment on top of this process's. */
    env?: Record<string, string>;
    /** Stream output to this terminal instead of only capturing it. */
    stream?: boolean;
}

/** Runs a program (no shell), capturing its output. Never throws on a non-zero exit. */
export function run(program: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(program, args, {
            env: { ...process.env, ...options.env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            if (options.stream) process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            if (options.stream) process.stderr.write(chunk);
        });
        child.on("error", reject);
        // A program that exits without reading its stdin closes the pipe: its exit code tells, not EPIPE.
        child.stdin.on("error", () => undefined);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        child.stdin.end(options.input ?? "");
    });
}

/** Runs a program and throws (with its output) when it fails; returns stdout. */
export async function mustRun(program: string, args: string[], options: RunOptions = {}): Promise<string> {
    const result = await run(program, args, options);
    if (result.code !== 0) {
        const output = options.stream ? "" : `\n${result.stdout}${result.stderr}`.trimEnd();
        throw new Error(`${program} ${args.slice(0, 3).join(" ")} ... exited ${result.code}${output}`);
    }
    return result.stdout;
}

/**
 * The Debian docker client: builds need BuildKit, and the newer client on PATH has no buildx plugin.
 */
export const dockerBinary = "/usr/bin/docker";

export function docker(args: string[], options: RunOptions = {}): Promise<string> {
    return mustRun(dockerBinary, args, { ...options, env: { DOCKER_BUILDKIT: "1", ...options.env } });
}

export async function dockerOk(args: string[]): Promise<boolean> {
    return (await run(dockerBinary, args)).code === 0;
}
