import * as fs from "fs";
import * as path from "path";
import { copySources, directoryHash } from "../../components/plan/hash";
import { baseImages, buildImage, imageContext } from "../stack/images";
import { localHostPlans } from "../executor/localPlan";
import { HostPlan } from "../../components/plan/stackPlan";
import { buildCaFile, buildCaSecretId } from "./buildCa";
import { LocalAppSettings, readLocalSettings } from "./localSettings";
import { currentReleaseIfAny, readBook, ReleaseBook, writeBook } from "./releaseBook";
import { note, timed } from "../progress";
import {
    Content, contentId, decideRelease, deployCommand, labelForTree, refusalMessage, refusalNote, Release, sameContent, shortContent,
    withOutcome,
} from "./releases";
import { dockerBinary, mustRun, run } from "../run";
import { labelDigest, releaseRepository } from "../stack/registry";
import { repoRoot, stateDir } from "../stack/stackLayout";
import { parsePublishedRelease, pinnedImage, shortDigest } from "../../components/plan/releaseImage";
import { formatTable, hostStatuses } from "../stack/status";
import { formatNextStep, upStep } from "../stack/nextStep";
import { haWeb } from "../commandLine/haWeb";

/**
 * The releases this stack built, and the one it runs, in its release book (releaseBook.ts), with a copy
 * of each release's sources (what its image was built from). Each image is built once here, pushed to
 * the registry stand-in (registry.ts) and pulled from it by digest on every host, as on AWS through
 * ECR. `down` removes them with the rest of the stack's state, as it removes the
 * database whose schema those releases changed: a new stack starts its labels at v1 again. The
 * images stay, as build cache: a build of the same sources reuses their layers, and a label's
 * first build in a new stack tags its new content.
 */
const sourcesRoot = path.join(stateDir, "release-sources");

/**
 * A release's image is tagged with its label, `ha-web-app:<label>`, and built with the label as
 * APP_VERSION, the version the app reports in X-App-Version (as the hosts' build-image step does:
 * APP_VERSION is the tag), so a person and the drills read labels. A label names one content for
 * good (releases.ts), so its tag always holds that content; the image carries it too, as the
 * image label below, checked before the image is used. Not the content hash as the tag (AWS's
 * `ha-web-app:<16 hex>`): two labels for the same sources (drill 1's v1 and v2) would share one
 * image, built with the first label as its version, and the second label would report the first
 * one's name. With one tag per label each image reports its own label; the layers are shared,
 * since APP_VERSION is the Dockerfile's last instruction.
 */
export function releaseImage(label: string): string {
    return `ha-web-app:${label}`;
}

const contentLabel = "ha-web.content";

/** `label` rolled out on every host: the stack's current release, its last rollout not refused. */
export function recordCurrent(label: string): void {
    recordOutcome(label, undefined, { current: label });
}

/** `label`'s rollout was refused with `error`: `releases` says so until it rolls out. */
export function recordRefusal(label: string, error: string): void {
    recordOutcome(label, error, {});
}

/** The book with `label`'s last rollout (releases.ts `withOutcome`) and `changes` written. */
function recordOutcome(label: string, error: string | undefined, changes: Partial<ReleaseBook>): void {
    const book = readBook();
    writeBook({ ...book, ...changes, releases: book.releases.map((r) => (r.label === label ? withOutcome(r, error, utcNow()) : r)) });
}

/**
 * The release `label` for the app tree as it is now (`broken`: with the drills' marker): a new
 * label is built and recorded; the label of this very content is used as it is (built again only
 * if its image is gone); a label that names other content is refused, saying what to run instead.
 */
export async function prepareRelease(label: string, broken: boolean): Promise<Release> {
    const settings = readLocalSettings();
    return prepare(label, { hash: directoryHash(settings.app.dir), broken }, settings);
}

/** `prepareRelease` with the settings read and the app tree hashed already. */
async function prepare(label: string, content: Content, { app, buildCaFile: caSetting }: LocalAppSettings): Promise<Release> {
    const { releases } = readBook();
    const decision = decideRelease(releases, label, content);
    if (decision.kind === "refused") {
        throw new Error(refusalMessage(decision.release, content, releases, await imagePresent(decision.release)));
    }
    // The migration and health path of the app in the file now, which this release keeps.
    const runs = { healthPath: app.healthPath, migrateCommand: app.migrateCommand };
    let release: Release;
    if (decision.kind === "recorded" && (await imagePresent(decision.release))) {
        note(`release ${label}: ${shortContent(content)}, built ${decision.release.builtAt}, image present`);
        release = { ...decision.release, runs };
    } else {
        const what = `${shortContent(content)}${content.broken ? ": its server cannot start" : ""}`;
        const caFile = buildCaFile(caSetting, process.env, fs.existsSync);
        release = await timed(`build release ${label} (${what}${caFile ? `; CA bundle ${caFile} as build secret ${buildCaSecretId}` : ""})`,
            () => buildRelease(label, content, runs, app.dir, caFile));
    }
    release = await timed(`publish release ${label} to the registry stand-in (${releaseRepository})`, () => publishRelease(release));
    const book = readBook();
    writeBook({ ...book, releases: [...book.releases.filter((r) => r.label !== label), release] });
    return release;
}

/** What `up` rolls out: the current release, or on a new stack the app tree under its label (v1 first). */
export async function upRelease(): Promise<Release> {
    const current = currentReleaseIfAny();
    const settings = readLocalSettings();
    const tree: Content = { hash: directoryHash(settings.app.dir), broken: false };
    if (!current) return prepare(labelForTree(readBook().releases, tree), tree, settings);
    if (!sameContent(current, tree)) {
        note(`the app tree (${shortContent(tree)}) is not ${current.label} (${shortContent(current)}), which up re-applies; ` +
            `${haWeb("deploy", "<new label>")} ships it`);
    }
    return (await imagePresent(current)) ? resolveLabel(current) : prepare(current.label, { ...tree, broken: current.broken }, settings);
}

/**
 * A release recorded earlier whose image still exists, for `rollback`: in the registry stand-in
 * (where the hosts pull it from, as from ECR), or built on this machine (published again from it).
 * The local build may be gone: the hosts share this machine's Docker engine, and their prune of old
 * images removes it too.
 */
export async function recordedRelease(label: string): Promise<Release> {
    const { releases } = readBook();
    const release = releases.find((r) => r.label === label);
    if (!release) {
        const known = releases.map((r) => r.label).join(", ") || "none yet";
        throw new Error(`no release ${label} on this stack (its releases: ${known}); ${haWeb("releases")} lists them`);
    }
    if (!(await imagePresent(release)) && (await labelDigest(label)) === undefined) {
        throw new Error(`release ${label} is in neither the registry stand-in (${releaseRepository}) nor this machine's images ` +
            `(${releaseImage(label)} is gone or holds other content): it cannot be rolled back to. ` +
            `Put its sources back in app/ and ${deployCommand(release)} rebuilds it`);
    }
    const refusal = refusalNote(release);
    if (refusal) note(`release ${label}'s last rollout was ${refusal}; trying it again`);
    return resolveLabel(release);
}

/**
 * The release with the digest its label has in the registry now, as `pulumi up` asks ECR for the
 * label's digest: the hosts pull that, and each checks that what it pulled is the image this stack
 * built (its id, recorded at the build). A label the registry no longer has is published again from
 * the build. Written to the book, so every later plan of this release pulls the same digest.
 */
async function resolveLabel(release: Release): Promise<Release> {
    const digest = await labelDigest(release.label);
    if (digest === undefined) return timed(`publish release ${release.label} again (the registry stand-in has no such tag)`, () => publishRelease(release));
    if (digest === release.digest) return release;
    if (release.digest !== undefined) {
        note(`release ${release.label}: the registry's ${release.label} is ${shortDigest(digest)} now, published as ${shortDigest(release.digest)}; ` +
            "the hosts pull it by that digest and refuse it unless its image is the one built");
    }
    return record({ ...release, digest });
}

/** Pushes the release's image with files/publish-release.sh (what the Pulumi program runs for ECR) and records its digests. */
async function publishRelease(release: Release): Promise<Release> {
    const output = await mustRun("bash", [path.join(repoRoot, "files", "publish-release.sh")], {
        env: { RELEASE_LABEL: release.label, RELEASE_REPOSITORY: releaseRepository, RELEASE_IMAGE: releaseImage(release.label), DOCKER: dockerBinary },
    });
    const { digest, imageId } = parsePublishedRelease(output, release.label);
    return record({ ...release, digest, imageId });
}

/** The release written to the book in place of its earlier record. */
function record(release: Release): Release {
    const book = readBook();
    writeBook({ ...book, releases: book.releases.map((r) => (r.label === release.label ? release : r)) });
    return release;
}

/** What the hosts run for `release`: its image in the registry stand-in, by digest. */
export function hostImage(release: Release): string {
    if (release.digest === undefined) {
        throw new Error(`release ${release.label} has no published digest in this stack's book: ${haWeb("rollback", release.label)} publishes it again`);
    }
    return pinnedImage(releaseRepository, release.digest);
}

/**
 * Each host's steps rolling out `release`: its image pulled by digest and checked against the build's
 * image id, and its own migration and health path; the settings and secrets of local.settings.json now.
 */
export function releasePlans(release: Release): HostPlan<string>[] {
    const { app, secrets } = readLocalSettings();
    return localHostPlans({ kind: "image", image: hostImage(release), imageId: release.imageId }, { app: { ...app, ...release.runs }, secrets });
}

/** Whether the release's image exists and holds its content. */
export async function imagePresent(release: Release): Promise<boolean> {
    const labels = await run(dockerBinary, ["image", "inspect", "--format", `{{index .Config.Labels "${contentLabel}"}}`, releaseImage(release.label)]);
    return labels.code === 0 && labels.stdout.trim() === contentId(release);
}

/** `releases`: label, content, image, when built, which hosts serve it now. */
export async function printReleases(): Promise<void> {
    const book = readBook();
    if (book.releases.length === 0) {
        console.log(formatNextStep(upStep));
        return;
    }
    const statuses = await hostStatuses();
    const rows = [["release", "content", "image", "digest", "built", "served by", "last rollout"]];
    for (const release of book.releases) {
        const hosts = statuses.filter((s) => s.live?.version === release.label).map((s) => s.host);
        rows.push([
            `${release.label}${release.label === book.current ? " (current)" : ""}`,
            shortContent(release),
            (await imagePresent(release)) ? "present" : "gone",
            release.digest ? shortDigest(release.digest) : "-",
            release.builtAt,
            hosts.join(", ") || "-",
            refusalNote(release) ?? "-",
        ]);
    }
    console.log(formatTable(rows));
    const tree: Content = { hash: directoryHash(readLocalSettings().app.dir), broken: false };
    const labels = book.releases.filter((r) => sameContent(r, tree)).map((r) => r.label);
    console.log(`\nthe app tree now: ${shortContent(tree)} (${labels.length > 0 ? `= ${labels.join(", ")}` : `no release yet: ${haWeb("deploy", "<new label>")} ships it`})`);
}

/**
 * Builds a release's image, once, from a copy of its sources (publishRelease pushes it; the hosts pull
 * it by digest), and hands the build a CA bundle (buildCa.ts: this machine's, by default) as a
 * BuildKit secret, for every app, a user's own too.
 *
 * `broken`: for drills, a release whose health never passes: the app built normally, then a thin
 * image on top in which node cannot start (a preload that does not exist), like a build that ships
 * without a module. The app's code has no drill hooks.
 */
async function buildRelease(label: string, content: Content, runs: Release["runs"], sources: string, caFile: string | undefined): Promise<Release> {
    const appBuild = {
        context: snapshotSources(content.hash, sources),
        buildArgs: { APP_VERSION: label, BASE_IMAGE: baseImages.node },
        secrets: caFile === undefined ? undefined : { [buildCaSecretId]: caFile },
    };
    const image = releaseImage(label);
    if (!content.broken) {
        await buildImage({ tag: image, ...appBuild, labels: { [contentLabel]: contentId(content) } });
    } else {
        // Its own repository, so no label's tag can be this one.
        const healthy = `ha-web-app-unbroken:${label}`;
        await buildImage({ tag: healthy, ...appBuild, labels: { [contentLabel]: contentId({ ...content, broken: false }) } });
        await buildImage({
            tag: image, context: imageContext("broken-release"), buildArgs: { RELEASE_IMAGE: healthy }, labels: { [contentLabel]: contentId(content) },
        });
    }
    // This stack's build of the label, not the image's Created: a build from cache keeps that of its first build.
    return { label, ...content, builtAt: utcNow(), runs };
}

/**
 * A copy of the app's sources (what `directoryHash` covers) under the release's hash: the image is
 * built from exactly the sources hashed, even when the app is edited meanwhile (then this refuses).
 */
function snapshotSources(hash: string, sources: string): string {
    const dir = path.join(sourcesRoot, hash);
    if (fs.existsSync(dir)) return dir;
    const incoming = `${dir}.incoming`;
    copySources(sources, incoming);
    if (directoryHash(incoming) !== hash) {
        fs.rmSync(incoming, { recursive: true, force: true });
        throw new Error(`${sources} changed while this release was being made: run the command again`);
    }
    fs.renameSync(incoming, dir);
    return dir;
}

/** Now, as the book records times: ISO 8601, UTC, whole seconds. */
function utcNow(): string {
    return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

