import { hostPaths } from "../../components/plan/hostPaths";
import { hostImage } from "../releases/release";
import { currentRelease, releaseRecord } from "../releases/releaseBook";
import { Release } from "../releases/releases";
import { docker } from "../run";
import { outputOnHost } from "../stack/hostAccess";
import { hostAppContainers } from "../stack/hosts";
import { releaseRepository } from "../stack/registry";
import { deploy, rollback } from "../stack/stack";
import { hostNames } from "../stack/stackHosts";
import { addColumnMigration, appVariant, withLocalSettings } from "./appVariants";
import { rolloutLogLines } from "./canaryDrills";
import { Drill, DrillResult, expect, mark } from "./drill";
import { versionsServed } from "./loadBalancerAnswers";
import { expectNoFailures, underLoad } from "./underLoad";

/**
 * One release model: an image built once on this machine, pushed to the registry stand-in, pulled
 * by digest on every host and checked there against the build's image id before the switch; a
 * rollback names a label and goes through the canary like any release.
 */
const firstRelease = "v1";
const probes = 20;

/** What each host runs now: the image reference and image id of its running app containers. */
async function hostImages(): Promise<Map<string, string[]>> {
    const images = new Map<string, string[]>();
    for (const host of hostNames()) {
        const containers = await hostAppContainers(host, true);
        const seen = containers.length === 0 ? [] : (await docker(["inspect", "--format", "{{.Config.Image}} {{.Image}}", ...containers])).trim().split("\n");
        images.set(host, seen);
    }
    return images;
}

/** Every host runs `release`'s image by its digest, and that image is the one the build made. */
async function expectEveryHostRuns(result: DrillResult, release: Release): Promise<void> {
    const wanted = `${hostImage(release)} ${release.imageId}`;
    for (const [host, seen] of await hostImages()) {
        result.notes.push(`${host} runs ${seen.join("; ") || "nothing"}`);
        expect(result, seen.length > 0 && seen.every((s) => s === wanted), `${host} runs ${seen.join("; ") || "nothing"}, not ${wanted}`);
    }
    const served = await versionsServed(probes);
    expect(result, served.size === 1 && served.has(release.label), `expected only ${release.label}, served: ${[...served].join(", ")}`);
}

/** The pull step of every host pulled by digest and found the build's image id (its log), and built nothing. */
async function expectPulledByDigest(result: DrillResult, release: Release): Promise<void> {
    for (const host of hostNames()) {
        const log = await rolloutStepLog(host, "build-image");
        expect(result, log.some((l) => l.includes(`pulling ${hostImage(release)}`)), `${host} did not pull ${hostImage(release)}: ${log.join(" | ")}`);
        expect(result, log.some((l) => l.includes(`as ${release.imageId}, the image the release was built as`)), `${host} did not check the image id: ${log.join(" | ")}`);
        expect(result, !log.some((l) => /docker build|building /.test(l)), `${host} built an image: ${log.join(" | ")}`);
    }
}

/** The lines of a host's last log of one step. */
async function rolloutStepLog(host: string, step: string): Promise<string[]> {
    const log = await outputOnHost(host, `sudo -n cat ${hostPaths.stepLogDir}/${step}.log`);
    return log.split("\n").filter((l) => l.trim() !== "");
}

/**
 * Points `label`'s tag in the registry stand-in at the image `digest` names, as anyone may push here
 * (ECR's IMMUTABLE tags refuse it). From the registry itself: the local build of an older release
 * may be gone (the hosts' prune shares this machine's Docker engine).
 */
async function moveTag(label: string, digest: string): Promise<void> {
    await docker(["pull", "--quiet", `${releaseRepository}@${digest}`]);
    await docker(["tag", `${releaseRepository}@${digest}`, `${releaseRepository}:${label}`]);
    await docker(["push", "--quiet", `${releaseRepository}:${label}`]);
}

export const releaseByDigest: Drill = {
    name: "32 a release built once and pulled by digest on every host; a host whose image is not the build's is refused before its switch",
    async run(result) {
        const label = "v32";
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            mark(result, `deploy ${label}`);
            await withLocalSettings(label, appVariant(label, addColumnMigration), () => deploy(label, false));
            mark(result, "rolled out");
        }, ["/"], { writes: true });
        expectNoFailures(result, samples, started);
        const release = currentRelease();
        expect(result, release.label === label && release.digest !== undefined && release.imageId !== undefined, `the stack's release: ${JSON.stringify(release)}`);
        result.notes.push(`built once: ${release.label} is ${hostImage(release)}, image ${release.imageId}`);
        await expectPulledByDigest(result, release);
        await expectEveryHostRuns(result, release);

        // Someone pushes other content under v1's label (the registry stand-in lets anyone move a tag):
        // a rollback to v1 pulls what the label names now, and the canary host refuses it before its switch.
        const recorded = releaseRecord(firstRelease);
        if (!recorded?.imageId || !recorded.digest || !release.digest) {
            throw new Error(`the drill needs ${firstRelease} and ${label} recorded with their image ids and digests: ${JSON.stringify([recorded, release])}`);
        }
        await moveTag(firstRelease, release.digest);
        mark(result, `${firstRelease}'s tag moved to ${label}'s image; rollback ${firstRelease}`);
        const refusal = await rollback(firstRelease).then(() => "", (error: Error) => error.message);
        const line = refusal.split("\n").find((l) => l.includes("refused on host-a")) ?? refusal.split("\n")[0];
        result.notes.push(`refused: ${line}`);
        expect(result, line.includes(`is image ${release.imageId} here, but the release was built as ${recorded.imageId}`),
            `the refusal does not name both image ids (${release.imageId} pulled, ${recorded.imageId} built): ${refusal.slice(0, 600)}`);
        // No host switched: each still runs v32's image, by its digest.
        await expectEveryHostRuns(result, release);
        // The registry holds v1's build again, for the drills after this one.
        await moveTag(firstRelease, recorded.digest);
    },
};

export const rollbackThroughCanary: Drill = {
    name: "33 a rollback by label goes through the canary: 0 failed requests, every host on the old digest",
    async run(result) {
        // Alone, the stack runs v1: ship a release to roll back from first.
        if (currentRelease().label === firstRelease) {
            await withLocalSettings("v33", appVariant("v33", addColumnMigration), () => deploy("v33", false));
        }
        const from = currentRelease().label;
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            mark(result, `rollback ${firstRelease} (from ${from})`);
            await withLocalSettings(`rollback-${firstRelease}`, {}, () => rollback(firstRelease));
            mark(result, "rolled back");
        }, ["/"], { writes: true });
        expectNoFailures(result, samples, started);
        const verdicts = await rolloutLogLines("host-a", "canary: ");
        result.notes.push(...verdicts.filter((l) => /not worse|too little/.test(l)).map((l) => l.replace(/^.*canary: /, "canary: ")));
        expect(result, verdicts.some((l) => l.includes(" is not worse than ")), `the canary did not judge the rollback: ${verdicts.join(" | ")}`);
        const release = currentRelease();
        expect(result, release.label === firstRelease, `the stack's release is ${release.label}, not ${firstRelease}`);
        await expectEveryHostRuns(result, release);
    },
};
