import { hostPackages } from "../../components/plan/stepScripts";
import { baseImages, buildImage, imageContext } from "./images";

/**
 * The AMI stand-in every local host boots (images/ami/Dockerfile): Debian 12 with systemd, cloud-init
 * and sshd, nothing of ha-web. Its apt cache holds the .deb files of bootstrap's packages, so the
 * bootstrap step installs them without downloading.
 */
export const amiImage = "ha-web/local-ami:latest";

export async function buildAmiImage(): Promise<void> {
    await buildImage({
        tag: amiImage,
        context: imageContext("ami"),
        buildArgs: { BASE_IMAGE: baseImages.debian, HOST_PACKAGES: hostPackages.join(" ") },
    });
}
