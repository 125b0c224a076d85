import { AppSettings } from "../../components/plan/appSettings";
import { releaseLabelProblem } from "../../components/plan/releaseImage";
import { haWeb } from "../commandLine/haWeb";
/**
 * Releases of the local stack, as pure decisions (the files and images are release.ts's).
 *
 * A release is content: the hash of the app's sources (`directoryHash` of app/, as on AWS), plus
 * the drills' broken marker when it was built to fail. A label is the name a person gave one
 * content; it never names another content later, so "v1" means the same code for as long as the
 * stack records it.
 */

/** What a release holds: the sources' hash, and whether it was built with the broken marker. */
export interface Content {
    /** `directoryHash` of the app's sources (64 hex). */
    hash: string;
    /** The drills' broken release: the same sources, a server that cannot start (release.ts). */
    broken: boolean;
}

export interface Release extends Content {
    label: string;
    /** When this stack built its image (ISO 8601, UTC). */
    builtAt: string;
    /**
     * How its own image runs, from local.settings.json when it was last deployed: a rollback runs
     * the release's migration and waits for its health path, not those of the app in the file now
     * (settings and secrets are the file's current ones, as a stack's config is on AWS).
     */
    runs: Pick<AppSettings, "healthPath" | "migrateCommand">;
    /**
     * Its last rollout was refused (a health gate or its migration failed), when and why (the
     * error's first line); gone once it rolls out. It stays a release: the cause may have been the
     * database, not the code, and `rollback` may try it again.
     */
    refused?: { at: string; reason: string };
    /**
     * Its image as published (components/plan/releaseImage.ts): the manifest digest the hosts pull
     * from the registry stand-in, and the image id the build made, which each host checks.
     */
    digest?: string;
    imageId?: string;
}

/** The release with its last rollout refused at `at` for `error` (its first line), or rolled out (`error` undefined). */
export function withOutcome(release: Release, error: string | undefined, at: string): Release {
    const outcome: Release = { ...release };
    delete outcome.refused;
    // One line, its table padding closed up: `host-a  rollout   failed` reads as `host-a rollout failed`.
    return error === undefined ? outcome : { ...outcome, refused: { at, reason: error.split("\n")[0].replace(/\s+/g, " ").trim() } };
}

/** How `releases` and a rollback describe a refused release's last rollout. */
export function refusalNote(release: Release): string | undefined {
    return release.refused && `refused ${release.refused.at}: ${release.refused.reason}`;
}

/**
 * The health path of the app a host serves, as the deploy asked it: that of the release recorded
 * under the version it reports (what it was deployed with); for a host whose live app does not
 * answer, the current release's; undefined while the stack records neither (then the settings').
 */
export function healthPathOf(releases: Release[], current: string | undefined, served: string | undefined): string | undefined {
    return (releases.find((r) => r.label === served) ?? releases.find((r) => r.label === current))?.runs.healthPath;
}

/** The content as one word: `<hash>` or `<hash>+broken`; the image carries it as a label. */
export function contentId(content: Content): string {
    return `${content.hash}${content.broken ? "+broken" : ""}`;
}

/** The content as a person reads it: 16 hex, as AWS names the image (`ha-web-app:<16 hex>`), and the marker. */
export function shortContent(content: Content): string {
    return `${content.hash.slice(0, 16)}${content.broken ? "+broken" : ""}`;
}

export function sameContent(a: Content, b: Content): boolean {
    return contentId(a) === contentId(b);
}

/**
 * What `deploy <label>` does with the content it was given:
 *
 * | label recorded? | recorded content is this content | decision                                |
 * | --------------- | -------------------------------- | --------------------------------------- |
 * | no              | -                                | new: build the content under the label  |
 * | yes             | yes                              | recorded: roll it out again (idempotent) |
 * | yes             | no                               | refused: the label keeps its content     |
 */
export type Decision =
    | { kind: "new" }
    | { kind: "recorded"; release: Release }
    | { kind: "refused"; release: Release };

export function decideRelease(releases: Release[], label: string, content: Content): Decision {
    const release = releases.find((r) => r.label === label);
    if (!release) return { kind: "new" };
    return sameContent(release, content) ? { kind: "recorded", release } : { kind: "refused", release };
}

/**
 * Why `label` cannot name `content`, in words that say what to run instead: what the label is,
 * what the content is, how to ship the content (a free label, or the label that already names
 * it), and how to roll back to the label's release.
 */
export function refusalMessage(refused: Release, content: Content, releases: Release[], imagePresent: boolean): string {
    const named = releases.find((r) => sameContent(r, content));
    const ship = named
        ? `it is release ${named.label} already: ${deployCommand(named)}`
        : `give it a new label: ${deployCommand({ label: freeLabel(releases, refused.label), broken: content.broken })}`;
    const back = imagePresent
        ? haWeb("rollback", refused.label)
        : `its image is gone: put ${refused.label}'s sources back in app/ and ${deployCommand(refused)} rebuilds it`;
    return [
        `release ${refused.label} is other content; a label never names new content:`,
        `  ${refused.label}: ${shortContent(refused)}, built ${refused.builtAt}`,
        `  the app tree now: ${shortContent(content)}`,
        `to ship the app tree, ${ship}`,
        `to roll back to ${refused.label}: ${back}`,
    ].join("\n");
}

/** The deploy that builds this label and marker. */
export function deployCommand(release: { label: string; broken: boolean }): string {
    return release.broken ? haWeb("deploy", release.label, "--broken") : haWeb("deploy", release.label);
}

/**
 * `wanted` when no release has it, else the next free one counting up its trailing number
 * (v5 -> v6, v7, ...; a label without a number gets -2, -3, ...).
 */
export function freeLabel(releases: Release[], wanted: string): string {
    const taken = new Set(releases.map((r) => r.label));
    if (!taken.has(wanted)) return wanted;
    const numbered = /^(.*?)(\d+)$/.exec(wanted);
    const [stem, first] = numbered ? [numbered[1], Number(numbered[2]) + 1] : [`${wanted}-`, 2];
    let n = first;
    while (taken.has(`${stem}${n}`)) n++;
    return `${stem}${n}`;
}

/** The label `up` gives the app tree on a stack that runs nothing yet: the one it has, or the first free `v<n>`. */
export function labelForTree(releases: Release[], tree: Content): string {
    return releases.find((r) => sameContent(r, tree))?.label ?? freeLabel(releases, "v1");
}

/** A label is one on AWS too (releaseLabelProblem); `broken` is the marker's word, not a label. */
export function labelProblem(label: string): string | undefined {
    if (label === "broken") return `\`broken\` is not a label: the marker is --broken, e.g. ${haWeb("deploy", "v5", "--broken")}`;
    return releaseLabelProblem(label);
}
