import * as fs from "fs";
import * as path from "path";
import { hostPaths } from "../../components/plan/hostPaths";
import { fileText, HostStep } from "../../components/plan/step";
import { renderTemplate } from "../../components/plan/render";
import { baseImages, buildImage, imageContext } from "./images";
import { hostImage, stateDir } from "./stackLayout";

/**
 * Builds a host's image: the offline Debian 12 base with the host plan's own bootstrap step (the
 * script Pulumi runs over SSH on EC2) executed during `docker build`, since systemd and privileged
 * set-up are not available in containers. The executor later runs the same step again, as a no-op.
 */
export async function buildHostImage(host: string, steps: HostStep<string>[]): Promise<void> {
    const scripts = steps.find((s) => s.name === "step-scripts");
    const bootstrap = scripts?.kind === "files" ? scripts.files.find((f) => f.path === `${hostPaths.stepsDir}/bootstrap.sh`) : undefined;
    if (!bootstrap) {
        throw new Error(`the host plan of ${host} places no bootstrap script`);
    }
    const context = path.join(stateDir, "build", `host-${host}`);
    fs.rmSync(context, { recursive: true, force: true });
    fs.cpSync(imageContext("host"), context, { recursive: true });
    fs.writeFileSync(path.join(context, "bootstrap.sh"), fileText(bootstrap), { mode: 0o755 });
    const entrypoint = path.join(context, "host-entrypoint.sh");
    fs.writeFileSync(entrypoint, renderTemplate(fs.readFileSync(entrypoint, "utf8"), { liveCommand: hostPaths.liveCommand }, "host-entrypoint.sh"), { mode: 0o755 });
    await buildSshHostImage();
    await buildImage({ tag: hostImage(host), context, buildArgs: { SSH_HOST_IMAGE: sshHostImage } });
}

/** The AMI stand-in: Debian with sshd, sudo and the `admin` user, before any step ran. */
export const sshHostImage = "ha-web/local-ssh-host:latest";

export async function buildSshHostImage(): Promise<void> {
    await buildImage({ tag: sshHostImage, context: imageContext("ssh-host"), buildArgs: { BASE_IMAGE: baseImages.debian } });
}
