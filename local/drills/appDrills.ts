import { createHash, randomBytes } from "crypto";
import * as path from "path";
import { currentReleaseIfAny, releaseRecord } from "../releases/releaseBook";
import { deploy, rollback } from "../stack/stack";
import { repoRoot } from "../stack/stackLayout";
import { hostStatuses } from "../stack/status";
import { addColumnMigration, appVariant, queryDatabase, withLocalSettings } from "./appVariants";
import { Drill, DrillResult, expect } from "./drill";
import { headerValue } from "../http/probe";
import { throughLoadBalancer, versionsServed } from "./loadBalancerAnswers";
import { expectNoFailures, underLoad } from "./underLoad";

const probes = 20;

/** A release whose migration fails (a table that does not exist): refused before any host switches. */
export const brokenMigration: Drill = {
    name: "13 broken migration refused before any host switches",
    async run(result) {
        const before = await versionsServed(probes);
        const started = Date.now();
        const bad = appVariant("v4-bad-migration", {
            ...addColumnMigration,
            "migrations/003_broken.sql": "ALTER TABLE no_such_table ADD COLUMN x INT;\n",
        });
        let refusal = "";
        const samples = await underLoad(result, async () => {
            refusal = await withLocalSettings("v4-bad-migration", bad, () => deploy("v4-bad-migration", false))
                .then(() => "", (error: Error) => error.message);
        });
        result.notes.push(`refused: ${refusal.split("\n").find((l) => /^migrate: .* failed/.test(l)) ?? refusal.split("\n")[0]}`);
        expect(result, /^migrate: .* failed in /m.test(refusal), "the refusal did not come from the migrate step");
        expect(result, refusal.includes("003_broken.sql"), "the refusal's last lines do not name the failing migration, 003_broken.sql");
        expect(result, releaseRecord("v4-bad-migration")?.refused !== undefined, "releases does not mark v4-bad-migration refused");
        expectNoFailures(result, samples, started);
        const after = await versionsServed(probes);
        expect(result, [...after].join() === [...before].join(), `served before: ${[...before].join(", ")}; after: ${[...after].join(", ")}`);
        const tables = await queryDatabase("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME = 'no_such_table'");
        expect(result, tables.length === 0, "the broken migration left something behind");
    },
};

/**
 * An app of a user's own, in another language: examples/python-app with its own health path, a
 * setting, a secret and its own migration, deployed with the same command as any release (status
 * shows it healthy at its path); then its secret changes (a rolling restart with the new value),
 * then back to the sample. Reads only: the example has no notes API.
 */
export const ownApp: Drill = {
    name: "14 your own app: Python with its own health path, a setting, a secret and a migration; secret rotated; back to the sample",
    async run(result) {
        const sample = currentReleaseIfAny()?.label;
        const label = "py-1";
        const settings = (apiKey: string) => ({
            appDir: path.join(repoRoot, "examples", "python-app"),
            appMigrateCommand: "python3 migrate.py",
            appHealthPath: "/healthz",
            appEnv: { GREETING: "hello from drill 14 #not-a-comment ${HOME}" },
            appSecrets: { API_KEY: apiKey },
            // The canary judges py-1 against the sample app it replaces: unlike apps, whose latencies
            // say nothing about a regression (docs/canary.md). Their 5xx shares are still compared.
            canaryMaxP99Ratio: 100, canaryP99SlackMs: 60_000,
        });
        const keys = [randomBytes(12).toString("hex"), randomBytes(12).toString("hex")];
        const fingerprint = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 8);
        const started = Date.now();
        const answers: string[] = [];
        const samples = await underLoad(result, async () => {
            for (const key of keys) {
                await withLocalSettings(label, settings(key), async () => {
                    await deploy(label, false);
                    const [root, apiKey] = [await throughLoadBalancer("/"), await throughLoadBalancer("/api/key")];
                    answers.push(root.text, apiKey.text);
                    const version = headerValue(root, "x-app-version");
                    expect(result, version === label && root.text.includes(settings(key).appEnv.GREETING),
                        `GET / after deploying ${label}: ${root.status || root.error} ${version} ${root.text.slice(0, 120)}`);
                    expect(result, apiKey.text.includes(fingerprint(key)), `GET /api/key does not show the fingerprint of the secret deployed: ${apiKey.status || apiKey.error} ${apiKey.text.slice(0, 120)}`);
                    await expectStatusHealthy(result, "/healthz", `after deploying ${label}`);
                    // Back to the sample with the Python app's settings still in place: the sample's own migration must
                    // run, and status must ask the sample's own health path, recorded with its release.
                    if (key === keys.at(-1) && sample) {
                        await rollback(sample);
                        await expectStatusHealthy(result, "/health", `after the rollback to ${sample}`);
                    }
                });
            }
        }, ["/", "/ping"], { writes: false });
        expectNoFailures(result, samples, started);
        expect(result, answers.every((a) => !keys.some((k) => a.includes(k))), "a response showed the secret's value");
        const visits = await queryDatabase("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME = 'visits'");
        expect(result, visits.length === 1, "the example's migration did not create its visits table");
        result.notes.push(`served ${Object.entries(result.load?.versions ?? {}).map(([v, n]) => `${v} ${n}`).join(", ")}; back on ${sample}`);
        const served = await versionsServed(probes);
        expect(result, served.size === 1 && (sample === undefined || served.has(sample)), `after the rollback: ${[...served].join(", ")}`);
    },
};

/** What `status` shows in its health column: every host's live app answering 200 at `healthPath`. */
async function expectStatusHealthy(result: DrillResult, healthPath: string, when: string): Promise<void> {
    const health = (await hostStatuses()).map((s) => `${s.host} ${s.health} (${s.healthPath})`);
    expect(result, health.every((h) => h.endsWith(` 200 (${healthPath})`)), `status's health ${when}: ${health.join(", ")}`);
}
