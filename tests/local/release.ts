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

/** This machine's CA bundle: npm inside the build reaches the registry through it (BuildKit secret). */
const caBundle = "/etc/ssl/certs/ca-certificates.crt";

/**
 * Builds a release before the hosts roll it out. The hosts share this machine's daemon, so their
 * build-image step finds the image built (as a second EC2 host would after the first, with a
 * registry) and both hosts run the very same image. Building here also hands npm this machine's CA
 * bundle as a BuildKit secret, which is too big for a step's command line.
 *
 * `broken`: a release whose health never passes, for drills: the app built normally, then a thin
 * image on top in which node cannot start (a preload that does not exist), like a build that ships
 * without a module. The app's code has no drill hooks.
 */
export async function buildRelease(label: string, broken: boolean): Promise<void> {
    const secrets: Record<string, string> = fs.existsSync(caBundle) ? { npm_ca: caBundle } : {};
    const appBuild = {
        context: appDir,
        buildArgs: { APP_VERSION: label, BASE_IMAGE: baseImages.node },
        secrets,
    };
    if (!broken) {
        await buildImage({ tag: appImageFor(label), ...appBuild });
        return;
    }
    const healthyTag = `${appImageFor(label)}-unbroken`;
    await buildImage({ tag: healthyTag, ...appBuild });
    await buildImage({ tag: appImageFor(label), context: imageContext("broken-release"), buildArgs: { RELEASE_IMAGE: healthyTag } });
}
