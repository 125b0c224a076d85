import * as fs from "fs";
import { dockerBinary, run } from "../../local/run";

/**
 * The Docker tests run wherever the suite runs: a machine without Docker fails them, saying what to
 * do, and never skips them (a skipped test checks nothing). Every other integration test that
 * needs Docker (SSH hosts, images) fails there too, so a skip here would only hide the gap.
 * `binary` and `env` (over this process's) are the tests' way to show both failures.
 */
export async function requireDockerEngine(binary = dockerBinary, env: Record<string, string> = {}): Promise<void> {
    if (!fs.existsSync(binary)) {
        throw new Error(`Docker is not installed (no ${binary}): the integration tests need it; scripts/setup-machine.sh installs it`);
    }
    const info = await run(binary, ["info"], { env });
    if (info.code !== 0) {
        throw new Error(`the Docker engine does not answer (docker info exited ${info.code}: ${info.stderr.trim().split("\n")[0]}): start it (systemctl start docker, or dockerd)`);
    }
}
