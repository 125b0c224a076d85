import * as fs from "fs";
import * as path from "path";
import { AppSettings, readAppSettings, secretMapShapeOf } from "../../components/plan/appSettings";
import { defaultRolloutBatchSize, rolloutBatchSizeProblem } from "../../components/plan/rolloutBatches";
import { canaryKeys } from "../../components/plan/canarySettings";
import { repoRoot } from "../stack/stackLayout";

/**
 * The local stack's settings: the stack config's app keys (appDir, appHealthPath, appEnv,
 * appSecrets, appMigrateCommand, appBuildCaFile, appMaxRequestBodyKb) and its hosts (hostCount, rolloutBatchSize) from one
 * JSON file, kept out of git (.gitignore), validated by the same functions as `pulumi up`. A
 * relative appDir or appBuildCaFile is relative to the repository, as on AWS.
 */
export const localSettingsFile = path.join(repoRoot, "local.settings.json");

/** HA_WEB_LOCAL_SETTINGS names another file (a drill deploys an app of its own that way). */
export function activeSettingsFile(): string {
    return process.env.HA_WEB_LOCAL_SETTINGS ?? localSettingsFile;
}

export interface LocalAppSettings {
    app: AppSettings;
    secrets: Record<string, string>;
    /** appBuildCaFile: the CA bundle for image builds, when set (buildCa.ts chooses one otherwise). */
    buildCaFile?: string;
}

/** How many hosts the local stack runs, and how many take a change at once after the first. */
export interface LocalHostSettings {
    hostCount: number;
    rolloutBatchSize: number;
}

/**
 * Locally every host is a container with its own block of ports (hostPorts.ts) on a shared machine:
 * two at least, as on AWS, and no more than six, which a two-core machine still runs under load.
 */
export const localHostCounts = { min: 2, max: 6, default: 2 } as const;

/** hostCount and rolloutBatchSize only: what the stack's shape needs, without checking the app's keys. */
export function readLocalHostSettings(file = activeSettingsFile()): LocalHostSettings {
    const problems: string[] = [];
    const hosts = hostSettingsOf(fs.existsSync(file) ? parseFile(file) : {}, problems);
    if (problems.length > 0) {
        throw new Error(`${file} is not valid:\n - ${problems.join("\n - ")}`);
    }
    return hosts;
}

function hostSettingsOf(values: Record<string, unknown>, problems: string[]): LocalHostSettings {
    const { min, max } = localHostCounts;
    const hostCount = values.hostCount ?? localHostCounts.default;
    if (typeof hostCount !== "number" || !Number.isInteger(hostCount) || hostCount < min || hostCount > max) {
        problems.push(`hostCount must be a whole number from ${min} to ${max}, got ${JSON.stringify(hostCount)}: `
            + `set e.g. "hostCount": 3 (the local stack runs ${min} to ${max} hosts on this machine)`);
        return { hostCount: localHostCounts.default, rolloutBatchSize: defaultRolloutBatchSize };
    }
    const rolloutBatchSize = values.rolloutBatchSize ?? defaultRolloutBatchSize;
    const batchProblem = rolloutBatchSizeProblem(rolloutBatchSize, hostCount);
    if (batchProblem) problems.push(batchProblem);
    return { hostCount, rolloutBatchSize: batchProblem ? defaultRolloutBatchSize : rolloutBatchSize as number };
}

export function readLocalSettings(file = activeSettingsFile()): LocalAppSettings {
    const values = fs.existsSync(file) ? parseFile(file) : {};
    const raw = (key: string): string | undefined => {
        const value = values[key];
        return value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
    };
    const problems: string[] = [];
    const unknown = Object.keys(values).filter((key) => !knownKeys.includes(key));
    if (unknown.length > 0) {
        problems.push(`unknown keys ${unknown.join(", ")}: the local stack takes ${knownKeys.join(", ")}`);
    }
    hostSettingsOf(values, problems);
    const app = readAppSettings({ get: raw, secretMapShape: (key) => secretMapShapeOf(raw(key)) }, problems);
    app.dir = path.resolve(repoRoot, app.dir);
    if (!fs.existsSync(app.dir)) {
        problems.push(`appDir: no directory at ${app.dir}`);
    } else if (!fs.existsSync(path.join(app.dir, "Dockerfile"))) {
        problems.push(`appDir: no Dockerfile in ${app.dir}`);
    }
    const buildCaFile = raw("appBuildCaFile") === undefined ? undefined : path.resolve(repoRoot, raw("appBuildCaFile")!);
    if (buildCaFile !== undefined && !fs.existsSync(buildCaFile)) {
        problems.push(`appBuildCaFile: no file at ${buildCaFile}`);
    }
    if (problems.length > 0) {
        throw new Error(`${file} is not valid:\n - ${problems.join("\n - ")}`);
    }
    const secretValues = (values.appSecrets ?? {}) as Record<string, unknown>;
    const secrets = Object.fromEntries(app.secretNames.map((name) => [name, String(secretValues[name])]));
    return buildCaFile === undefined ? { app, secrets } : { app, secrets, buildCaFile };
}

/** " at line L, column C" from the parser's "... at position N" (Node 20), or nothing. */
function whereInText(text: string, message: string): string {
    const position = /at position (\d+)/.exec(message);
    if (!position) return "";
    const before = text.slice(0, Number(position[1])).split("\n");
    return ` at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

const knownKeys = ["appDir", "appHealthPath", "appEnv", "appSecrets", "appMigrateCommand", "appBuildCaFile", "appMaxRequestBodyKb", "hostCount", "rolloutBatchSize", ...canaryKeys];

function parseFile(file: string): Record<string, unknown> {
    const text = fs.readFileSync(file, "utf8");
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        // Not the parser's message: it quotes the text around the error, which may be a secret. Only where.
        throw new Error(`${file} is not valid JSON${whereInText(text, (error as Error).message)}: fix it, or remove it to use the defaults`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${file} must hold one JSON object, e.g. {"appEnv": {"GREETING": "hello"}}`);
    }
    return parsed as Record<string, unknown>;
}
