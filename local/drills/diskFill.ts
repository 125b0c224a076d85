import * as path from "path";
import { hostPaths } from "../../components/plan/hostPaths";
import { buildCacheHours, keptReleases } from "../../components/plan/hostConfigFiles";
import { readTemplate } from "../../components/plan/render";
import { DiskAlarmReading, localMetrics, readDiskAlarm } from "../stack/cloudWatch";
import { AlarmStateValue } from "../stack/alarmState";
import { outputOnHost } from "../stack/hostAccess";
import { Drill, DrillResult, expect, mark } from "./drill";
import { sleep } from "./underLoad";

/**
 * The host's disk for the drill: Docker's data root as `docker info` names it (/var/lib/docker),
 * made a size-limited tmpfs on host-a, with a Docker engine of the drill's own on it. The local
 * hosts share this machine's engine, whose data root is this machine's disk: filling that is not an
 * option. The drill's engine holds only the drill's images, so what fills the disk is what the
 * prune removes.
 */
const host = "host-a";
const disk = { sizeMib: 256, releaseMib: 16 };
const dataRoot = "/var/lib/docker";
const engineDir = "/run/ha-web-disk-drill";
const engineUnit = "ha-web-disk-drill-engine";
const engine = `unix://${engineDir}/docker.sock`;
/** The drill's own record of deployed images (the host's real one belongs to its app). */
const releasesFile = "/var/lib/ha-web-disk-drill/deployed-images";
const repository = "ha-web-app";

/** Runs a bash script as root on the host (over SSH, as every step), the script sent base64-encoded in the command. */
function asRoot(script: string, ...args: string[]): Promise<string> {
    const encoded = Buffer.from(`set -euo pipefail\n${script}\n`).toString("base64");
    return outputOnHost(host, `sudo -n bash -c "$(echo ${encoded} | base64 -d)" disk-drill ${args.join(" ")}`);
}

/**
 * The engine runs in a network namespace of its own (it needs no network: its images are built
 * FROM scratch): with --bridge=none, dockerd deletes the docker0 interface of the namespace it starts
 * in, and the host shares this machine's, where this machine's engine needs docker0.
 */
const startEngine = `
mkdir -p ${dataRoot} ${engineDir} ${path.posix.dirname(releasesFile)}
if ! mountpoint -q ${dataRoot}; then mount -t tmpfs -o size=${disk.sizeMib}m ha-web-disk-drill ${dataRoot}; fi
systemd-run --quiet --unit ${engineUnit} --collect unshare --net dockerd --data-root ${dataRoot} --exec-root ${engineDir}/exec \\
  --pidfile ${engineDir}/docker.pid --host ${engine} --bridge=none --iptables=false --ip-masq=false --ip-forward=false
for _ in $(seq 1 60); do
  if docker --host ${engine} info >/dev/null 2>&1; then exit 0; fi
  sleep 0.5
done
echo "the drill's Docker engine did not start:" >&2
journalctl -u ${engineUnit} --no-pager | tail -n 20 >&2
exit 1`;

const stopEngine = `
systemctl stop ${engineUnit} 2>/dev/null || true
if mountpoint -q ${dataRoot}; then umount --recursive ${dataRoot}; fi
rm -rf ${engineDir} ${path.posix.dirname(releasesFile)}`;

/**
 * Releases on the drill's engine, and what ha-web-deploy does after a deploy, with its own prune
 * (files/lib/prune-images.sh as ha-web-deploy includes it, with the plan's values):
 * - \`fill FIRST LAST\`: releases FIRST..LAST, each built and recorded, none pruned (a host that does not prune);
 * - \`prune\`: the prune alone (what \`ha-web-deploy --prune\` runs, the runbook's first step);
 * - \`release N\`: release N built, recorded, then the prune, as after every deploy.
 * Each release is ${disk.releaseMib} MiB of its own (random: no layer shared), built as build-image builds.
 * Prints the release tags left on the engine.
 */
const releases = `
export DOCKER_HOST=${engine}
RELEASES_FILE=${releasesFile}
KEEP_RELEASES=${keptReleases}
BUILD_CACHE_HOURS=${buildCacheHours}
log() { echo "ha-web-deploy: $*" >&2; }
${readTemplate("lib/prune-images.sh")}
build_release() {
  local context
  context="$(mktemp -d)"
  head -c ${disk.releaseMib}M /dev/urandom >"$context/blob"
  printf 'FROM scratch\\nCOPY blob /release-blob\\n' >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build --quiet --tag "${repository}:disk-drill-$1" "$context" >/dev/null
  rm -rf "$context"
  record_release "${repository}:disk-drill-$1"
}
case "$1" in
  fill) for release in $(seq "$2" "$3"); do build_release "$release"; done ;;
  prune) prune_images ;;
  release) build_release "$2"; prune_images ;;
esac
docker image ls ${repository} --format '{{.Tag}}' | sort -t- -k3 -n`;

/** Publishes now (the timer's own unit: the same measurement as every period) and reads the alarm back. */
async function publish(): Promise<DiskAlarmReading> {
    await outputOnHost(host, `sudo -n systemctl start ${path.posix.basename(hostPaths.diskUseUnit)}`);
    return readDiskAlarm(host);
}

/**
 * Reads the alarm every half second, publishing at least twice a period (every period must hold a
 * datapoint), until it is in `state`; undefined if it is not within the alarm's window plus two periods.
 */
async function awaitAlarmState(state: AlarmStateValue): Promise<{ reading: DiskAlarmReading; seconds: number } | undefined> {
    const { periodSeconds, evaluationPeriods } = localMetrics.timing;
    const started = Date.now();
    let published = 0;
    while (Date.now() - started < (evaluationPeriods + 2) * periodSeconds * 1000) {
        if (Date.now() - published >= (periodSeconds * 1000) / 2) {
            await publish();
            published = Date.now();
        }
        const reading = readDiskAlarm(host);
        if (reading.state === state) return { reading, seconds: Math.round((Date.now() - started) / 100) / 10 };
        await sleep(500);
    }
    return undefined;
}

const used = (reading: DiskAlarmReading) => reading.latest?.value ?? NaN;

export const diskFill: Drill = {
    name: `19 disk filled to the alarm by releases' images (${disk.sizeMib} MiB Docker data root on ${host}), then kept below by ha-web-deploy's prune`,
    async run(result: DrillResult) {
        const before = await publish();
        expect(result, before.state !== "ALARM", `${host}'s disk alarm was in ALARM before the drill (${used(before)}%)`);
        await asRoot(startEngine);
        try {
            await fillAndPrune(result, before.spec.threshold);
        } finally {
            await asRoot(stopEngine);
        }
    },
};

async function fillAndPrune(result: DrillResult, threshold: number): Promise<void> {
    const empty = await publish();
    mark(result, "engine started");
    result.notes.push(`disk: Docker's data root on ${host}, ${disk.sizeMib} MiB; alarm above ${threshold}% for ${localMetrics.timing.evaluationPeriods} `
        + `periods of ${localMetrics.timing.periodSeconds} s; each release's image ${disk.releaseMib} MiB; `
        + `published use (the fuller of / and the data root) before the first release ${used(empty)}%`);
    // Enough releases, none pruned, to pass the threshold.
    const filling = Math.floor((threshold / 100) * disk.sizeMib / disk.releaseMib) + 1;
    await asRoot(releases, "fill", "1", String(filling));
    const filled = await publish();
    mark(result, `filled: ${used(filled)}%`);
    result.notes.push(`without a prune: ${filling} releases filled it to ${used(filled)}%`);
    expect(result, used(filled) > threshold, `${filling} releases filled the disk only to ${used(filled)}%, not above ${threshold}%`);
    const fired = await awaitAlarmState("ALARM");
    expect(result, fired !== undefined, `the disk alarm did not fire at ${used(filled)}% (state ${readDiskAlarm(host).state})`);
    if (fired) {
        mark(result, "alarm fired");
        result.notes.push(`alarm ALARM ${fired.seconds} s after the disk passed ${threshold}% (periods' maxima: ${fired.reading.periods.join(", ")})`);
    }
    // The runbook's prune, then each further release deployed with ha-web-deploy's prune.
    const kept = async (action: string[], last: number, what: string) => {
        const tags = (await asRoot(releases, ...action)).trim().split("\n");
        const reading = await publish();
        const expected = Array.from({ length: keptReleases }, (_, k) => `disk-drill-${last - keptReleases + 1 + k}`);
        expect(result, JSON.stringify(tags) === JSON.stringify(expected), `after ${what} the images are ${tags.join(", ")}, not the last ${keptReleases} (${expected.join(", ")})`);
        expect(result, used(reading) < threshold, `after ${what} the disk is ${used(reading)}% full, not below ${threshold}%`);
        return { tags, used: used(reading) };
    };
    const pruned = await kept(["prune"], filling, "the prune");
    mark(result, "pruned");
    result.notes.push(`the prune (ha-web-deploy --prune's): ${used(filled)}% -> ${pruned.used}%, images kept ${pruned.tags.join(", ")}`);
    const after: number[] = [];
    let last = filling;
    for (let i = 0; i < keptReleases; i++) {
        after.push((await kept(["release", String(++last)], last, `release ${last}'s deploy`)).used);
    }
    result.notes.push(`${keptReleases} further releases, each pruned after its deploy: use ${after.map((v) => `${v}%`).join(", ")}; `
        + `the last ${keptReleases} releases' images stay (a rollback to either earlier one needs no build or pull)`);
    const cleared = await awaitAlarmState("OK");
    expect(result, cleared !== undefined, `the disk alarm did not clear after the prune (state ${readDiskAlarm(host).state})`);
    if (cleared) result.notes.push(`alarm OK again ${cleared.seconds} s after the last release`);
}
