import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { ensureContainer, removeContainer, waitFor } from "./containers";
import { canConnect } from "./hosts";
import { baseImages } from "./images";
import { stateDir } from "./stackLayout";

/**
 * The local stack's Amazon ECR: Debian's `docker-registry` (the CNCF distribution registry,
 * installed by scripts/setup-machine.sh), run in a container of the Debian base image on an address
 * of its own on loopback. It holds the releases' images; every host pulls from it by digest.
 *
 * Where it differs from ECR (docs/releases.md): plain HTTP with no sign-in (Docker trusts
 * 127.0.0.0/8 without TLS; only this machine reaches the address), and tags it lets anyone move,
 * where the stack's ECR repository refuses a second push of a tag (IMMUTABLE). So the hosts never
 * trust a tag here: each checks the image it pulled against the build's record.
 */
export const registryStandIn = {
    container: "ha-web-registry",
    address: "127.0.5.1",
    port: 5000,
};

/** `<registry>/ha-web-app`: the releases' repository, as the ECR repository's URL on AWS. */
export const releaseRepository = `${registryStandIn.address}:${registryStandIn.port}/ha-web-app`;

const configFile = path.join(stateDir, "registry.yml");
/**
 * The registry's storage outlives `down`, as the images stay as build cache: a new stack's first push
 * then sends only what the registry lacks (the base layers alone take tens of seconds to compress).
 * A label a new stack builds again moves its tag here, and the new build's record is what the hosts check.
 */
const storageDir = "/var/cache/ha-web/registry";

/** The registry's configuration: storage on this machine, no deletes, listening on its loopback address only. */
function registryConfig(): string {
    return [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        "    rootdirectory: /var/lib/docker-registry",
        "  delete:",
        "    enabled: false",
        "http:",
        `  addr: ${registryStandIn.address}:${registryStandIn.port}`,
        "",
    ].join("\n");
}

export async function ensureRegistry(): Promise<void> {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(storageDir, { recursive: true });
    fs.writeFileSync(configFile, registryConfig());
    await ensureContainer({
        name: registryStandIn.container,
        image: baseImages.debian,
        runArgs: [
            "--network", "host", "--restart", "unless-stopped",
            "-v", "/usr/bin/docker-registry:/usr/bin/docker-registry:ro",
            "-v", `${configFile}:/etc/docker/registry/config.yml:ro`,
            "-v", `${storageDir}:/var/lib/docker-registry`,
        ],
        command: ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"],
        mountedContent: registryConfig(),
    });
    await waitFor(`the registry stand-in on ${registryStandIn.address}:${registryStandIn.port}`, 15,
        () => canConnect(registryStandIn.port, registryStandIn.address));
}

export async function removeRegistry(): Promise<void> {
    await removeContainer(registryStandIn.container);
}

/** Docker's manifest types: the registry answers with the digest of the manifest a pull would get. */
const manifestTypes = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
].join(", ");

/**
 * The digest the registry has under `label` now (as `pulumi up` asks ECR for a tag's digest), or
 * undefined when it has none.
 */
export function labelDigest(label: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
        const request = http.request({
            host: registryStandIn.address, port: registryStandIn.port, method: "HEAD",
            path: `/v2/ha-web-app/manifests/${encodeURIComponent(label)}`, headers: { accept: manifestTypes }, timeout: 5000,
        }, (response) => {
            response.resume();
            if (response.statusCode === 404) return resolve(undefined);
            const digest = response.headers["docker-content-digest"];
            if (response.statusCode !== 200 || typeof digest !== "string") {
                return reject(new Error(`the registry stand-in answered ${response.statusCode} for release ${label}'s manifest, without a digest`));
            }
            resolve(digest);
        });
        request.on("timeout", () => request.destroy(new Error(`the registry stand-in did not answer for release ${label} within 5 s`)));
        request.on("error", reject);
        request.end();
    });
}
