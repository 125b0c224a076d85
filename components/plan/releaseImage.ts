/**
 * A release, on AWS and on the local stack alike: an image built once from the app's sources,
 * pushed to a registry (Amazon ECR; locally a registry on loopback) under its label, and run on
 * every host by digest. Two digests name it:
 *
 * | name      | what it is                                   | who uses it                                   |
 * |-----------|----------------------------------------------|-----------------------------------------------|
 * | `digest`  | the manifest's sha256, the registry's address | the hosts pull `<repository>@<digest>`        |
 * | `imageId` | the image configuration's sha256 (`docker    | each host checks the image it holds is it,    |
 * |           | image inspect .Id`), what the build made     | after the pull and again right before switching |
 *
 * A label is looked up in the registry when a release rolls out (as `pulumi up` looks it up in ECR),
 * so a label the registry moved to other content yields a digest whose image is not the build's:
 * the host refuses it (files/lib/release-image-check.sh), naming both ids.
 */

/** A release's image as the build published it (files/publish-release.sh prints it). */
export interface PublishedRelease {
    label: string;
    /** The manifest digest in the registry, `sha256:<64 hex>`. */
    digest: string;
    /** The image id the build produced, `sha256:<64 hex>`. */
    imageId: string;
}

const sha256 = /^sha256:[0-9a-f]{64}$/;

/**
 * A label becomes the image's tag in the registry and the version the app reports, so it follows
 * Docker's tag rule: letters, digits, `_ . -`, at most 128, not starting with `.` or `-`.
 */
export function releaseLabelProblem(label: string): string | undefined {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(label)) {
        return `release label ${JSON.stringify(label)} is not one: use letters, digits, . _ - (at most 128, not starting with . or -; e.g. v5)`;
    }
    return undefined;
}

/** Whether `value` is a sha256 digest as Docker and registries write it. */
export function isSha256(value: string): boolean {
    return sha256.test(value);
}

/** The reference every host pulls: the repository at the release's manifest digest. */
export function pinnedImage(repository: string, digest: string): string {
    if (!isSha256(digest)) throw new Error(`release digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
    return `${repository}@${digest}`;
}

/** A digest as a person compares two at a glance: its first 12 hex digits. */
export function shortDigest(digest: string): string {
    return digest.replace(/^sha256:/, "").slice(0, 12);
}

/**
 * The release the publish script reported: its last line of output, a JSON object with the label,
 * digest and image id. Anything else is an error that quotes what came, so a failed build or push
 * is not mistaken for a release.
 */
export function parsePublishedRelease(output: string, label: string): PublishedRelease {
    const last = output.trim().split("\n").pop() ?? "";
    let parsed: unknown;
    try {
        parsed = JSON.parse(last);
    } catch {
        throw new Error(`publishing release ${label} did not end with its record (a JSON line with label, digest and imageId); its last line: ${JSON.stringify(last.slice(0, 200))}`);
    }
    const record = parsed as Partial<PublishedRelease>;
    const problems: string[] = [];
    if (record.label !== label) problems.push(`label is ${JSON.stringify(record.label)}, not ${JSON.stringify(label)}`);
    if (typeof record.digest !== "string" || !isSha256(record.digest)) problems.push(`digest ${JSON.stringify(record.digest)} is not sha256:<64 hex digits>`);
    if (typeof record.imageId !== "string" || !isSha256(record.imageId)) problems.push(`imageId ${JSON.stringify(record.imageId)} is not sha256:<64 hex digits>`);
    if (problems.length > 0) throw new Error(`publishing release ${label} reported an invalid record:\n - ${problems.join("\n - ")}`);
    return { label, digest: record.digest!, imageId: record.imageId! };
}
