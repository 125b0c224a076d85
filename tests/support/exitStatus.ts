import { spawnSync } from "child_process";

/**
 * The exit status of a program that ran, with `env` over this process's environment. Throws when it
 * did not run to an exit (not installed, killed by a signal), so a test that expects a non-zero
 * status cannot pass on a program that is missing.
 */
export function exitStatusOf(program: string, args: string[], env: Record<string, string> = {}): number {
    const result = spawnSync(program, args, { env: { ...process.env, ...env }, encoding: "utf8" });
    if (result.error) {
        const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new Error(missing ? `${program} is not installed (not on PATH): scripts/setup-machine.sh installs it` : `${program} did not run: ${result.error.message}`);
    }
    if (result.status === null) throw new Error(`${program} ${args.join(" ")} was killed by ${result.signal}`);
    return result.status;
}
