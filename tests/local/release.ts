import * as fs from "fs";
import * as path from "path";
import { appDir, appImageFor } from "./localPlan";
import { baseImages, buildImage, imageContext } from "./images";
import { stateDir } from "./stackLayout";

/** What the stack should run: the release label a person asked for last and got rolled out. */
export interface Release {
    label: string;
}

const releaseFile = path.join(stateDir, "release.json");
export const firstRelease: Release = { label: "v1" };

export function currentRelease(): Release {
    return fs.existsSync(releaseFile) ? JSON.parse(fs.readFileSync(releaseFile, "utf8")) : firstRelease;
}

export function recordRelease(release: Release): void {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(releaseFile, JSON.stringify(release, null, 2) + "\n");
}

/**
 * A release for drills whose health never passes: the app built normally at that label, then a thin
 * image on top in which node cannot start (a preload that does not exist), like a build that ships
 * without a module. Tagged as the release itself, so the hosts' build-image step finds it built.
 * The app's code has no drill hooks.
 */
export async function buildBrokenRelease(label: string): Promise<void> {
    const healthyTag = `${appImageFor(label)}-unbroken`;
    await buildImage({
        tag: healthyTag,
        context: appDir,
        buildArgs: { APP_VERSION: label, BASE_IMAGE: baseImages.node },
        secrets: { npm_ca: "/etc/ssl/certs/ca-certificates.crt" },
    });
    await buildImage({ tag: appImageFor(label), context: imageContext("broken-release"), buildArgs: { RELEASE_IMAGE: healthyTag } });
}
