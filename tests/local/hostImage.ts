import * as fs from "fs";
import * as path from "path";
import { HostStep } from "../../components/plan/hostStep";
import { baseImages, buildImage, imageContext } from "./images";
import { hostImage, stateDir } from "./stackLayout";

/**
 * Builds a host's image: the offline Debian 12 base with the host plan's own bootstrap step (the
 * script Pulumi runs over SSH on EC2) executed during `docker build`, since systemd and privileged
 * set-up are not available in containers. The executor later runs the same step again, as a no-op.
 */
export async function buildHostImage(host: string, steps: HostStep<string>[]): Promise<void> {
    const bootstrap = steps.find((s) => s.name === "bootstrap");
    if (!bootstrap || bootstrap.kind !== "run") {
        throw new Error(`the host plan of ${host} has no bootstrap run step`);
    }
    const context = path.join(stateDir, "build", `host-${host}`);
    fs.rmSync(context, { recursive: true, force: true });
    fs.cpSync(imageContext("host"), context, { recursive: true });
    fs.writeFileSync(path.join(context, "bootstrap.sh"), bootstrap.script, { mode: 0o755 });
    await buildImage({ tag: hostImage(host), context, buildArgs: { BASE_IMAGE: baseImages.debian } });
}
