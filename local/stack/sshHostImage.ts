import { baseImages, buildImage, imageContext } from "./images";

/**
 * A bare sshd (Debian with sshd, sudo and an `admin` user; keys mounted by the caller), for tests of
 * the HostFiles provider and the SSH transport. The local stack's hosts boot the AMI stand-in instead
 * (amiImage.ts).
 */
export const sshHostImage = "ha-web/local-ssh-host:latest";

export async function buildSshHostImage(): Promise<void> {
    await buildImage({ tag: sshHostImage, context: imageContext("ssh-host"), buildArgs: { BASE_IMAGE: baseImages.debian } });
}
