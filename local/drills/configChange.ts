import { appDefaults } from "../../components/plan/appSettings";
import { hostPaths } from "../../components/plan/hostPaths";
import { runHostPlans, StepOutcome } from "../executor/stepExecutor";
import { headerValue, probe } from "../http/probe";
import { releasePlans } from "../releases/release";
import { currentRelease } from "../releases/releaseBook";
import { outputOnHost } from "../stack/hostAccess";
import { hostNames, hostPorts } from "../stack/stackHosts";
import { appContainerIds } from "./appContainers";
import { activeSettingsWith, withLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect, mark } from "./drill";
import { expectNoFailures, underLoad } from "./underLoad";

/** A configuration change may take a host this long (issue 23: "at the speed of a deploy"). */
const maxSecondsPerHost = 5;
/** The request body limit the drill raises the default 64 KB to, and a body between the two. */
const raisedBodyKb = 256;
const bodyBytes = 100 * 1024;

/**
 * How a host's nginx answers a POST of `bodyBytes`: `nginx` when nginx itself refused it (413, no
 * X-App-Version), `app` when it reached the app (which answers POST / with 405, its version named).
 */
async function bodyAnsweredBy(host: string): Promise<string> {
    const reply = await probe(`http://127.0.0.1:${hostPorts(host).nginxPort}/`, { method: "POST", body: Buffer.alloc(bodyBytes, "x"), timeoutMs: 10_000 });
    if (reply.status === 413 && headerValue(reply, "x-app-version") === undefined) return "nginx";
    if (headerValue(reply, "x-app-version") !== undefined) return "app";
    return `neither (HTTP ${reply.status || reply.error})`;
}

/** Where each host's apply-config spent its nginx reload (its step log's `reloaded nginx ...` line). */
async function reloadLines(): Promise<string[]> {
    return Promise.all(hostNames().map(async (host) => {
        const line = await outputOnHost(host, `sudo -n grep -h 'nginx' ${hostPaths.stepLogDir}/apply-config.log | tail -n 1`);
        return `${host}: ${line.replace(/^.*apply-config: /, "").trim()}`;
    }));
}

/**
 * Applies the current release's plan with `settings` (an operator's `pulumi up` after a config edit)
 * and checks what the change cost: apply-config ran on every host within the bound, the rollout ran
 * nowhere (nothing of the app's changed).
 */
async function applyChange(result: DrillResult, what: string, settings: Record<string, unknown>): Promise<void> {
    mark(result, what);
    const outcomes: StepOutcome[] = await withLocalSettings("drill-30", settings, () => runHostPlans(releasePlans(currentRelease())));
    const applied = outcomes.filter((o) => o.step === "apply-config" && o.result === "ran");
    const perHost = applied.map((o) => `${o.host} ${o.seconds.toFixed(1)} s`).join(", ");
    result.notes.push(`${what}: apply-config ${perHost}`);
    expect(result, applied.length === hostNames().length, `${what}: apply-config ran on ${applied.map((o) => o.host).join(", ") || "no host"}, not on every host`);
    const slow = applied.filter((o) => o.seconds > maxSecondsPerHost);
    expect(result, slow.length === 0, `${what}: apply-config took more than ${maxSecondsPerHost} s on ${slow.map((o) => `${o.host} (${o.seconds.toFixed(1)} s)`).join(", ")}`);
    const others = outcomes.filter((o) => o.result === "ran" && !["host-config", "apply-config"].includes(o.step));
    expect(result, others.length === 0, `${what}: steps beyond the configuration ran: ${others.map((o) => `${o.host}/${o.step}`).join(", ")}`);
    result.notes.push(...(await reloadLines()).map((line) => `${what}: ${line}`));
}

/**
 * An nginx configuration change (appMaxRequestBodyKb, the request body limit a user raises for
 * uploads) applied to every host under 32 keep-alive clients and writes, then taken back: each
 * host's apply-config within 5 s, with the host in service throughout (no drain), no failed request,
 * the app's containers untouched, and every host's nginx serving the new limit afterwards.
 */
export const configChange: Drill = {
    name: `30 nginx configuration change (appMaxRequestBodyKb) on every host under load: at most ${maxSecondsPerHost} s per host, no drain, 0 failed`,
    async run(result) {
        const started = Date.now();
        const containers = await appContainerIds();
        const before = await Promise.all(hostNames().map(bodyAnsweredBy));
        expect(result, before.every((by) => by === "nginx"), `a ${bodyBytes / 1024} KB body before the change (limit ${appDefaults.appMaxRequestBodyKb} KB): answered by ${before.join(", ")}`);
        let raised: string[] = [];
        const samples = await underLoad(result, async () => {
            await applyChange(result, `limit raised to ${raisedBodyKb} KB`, activeSettingsWith({ appMaxRequestBodyKb: raisedBodyKb }));
            raised = await Promise.all(hostNames().map(bodyAnsweredBy));
            await applyChange(result, `limit back to ${appDefaults.appMaxRequestBodyKb} KB`, activeSettingsWith({}));
        }, ["/", "/ping"], { keepAliveClients: 32 });
        expect(result, raised.every((by) => by === "app"), `a ${bodyBytes / 1024} KB body with the limit raised: answered by ${hostNames().map((h, i) => `${h} ${raised[i]}`).join(", ")}`);
        const after = await Promise.all(hostNames().map(bodyAnsweredBy));
        expect(result, after.every((by) => by === "nginx"), `a ${bodyBytes / 1024} KB body with the limit back: answered by ${after.join(", ")}`);
        expect(result, (await appContainerIds()) === containers, "the app's containers changed: a configuration change of nginx must not recreate them");
        expectNoFailures(result, samples, started);
    },
};
