import * as fs from "fs";
import * as path from "path";
import { AppSettings, readAppSettings, secretMapShapeOf } from "../../components/plan/appSettings";
import { canaryKeys } from "../../components/plan/canarySettings";
import { repoRoot } from "../stack/stackLayout";

/**
 * The local stack's app settings: the stack config's app keys (appDir, appHealthPath, appEnv,
 * appSecrets, appMigrateCommand, appBuildCaFile) from one JSON file, kept out of git (.gitignore),
 * validated by the same function as `pulumi up`. A relative appDir or appBuildCaFile is relative to
 * the repository, as on AWS.
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

export function readLocalSettings(file = activeSettingsFile()): LocalAppSettings {
    const values = fs.existsSync(file) ? parseFile(file) : {};
    const raw = (key: string): string | undefined => {
        const value = values[key];
        return value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
    };
    const problems: string[] = [];
    const unknown = Object.keys(values).filter((key) => !appKeys.includes(key));
    if (unknown.length > 0) {
        problems.push(`unknown keys ${unknown.join(", ")}: the local stack takes ${appKeys.join(", ")}`);
    }
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

const appKeys = ["appDir", "appHealthPath", "appEnv", "appSecrets", "appMigrateCommand", "appBuildCaFile", ...canaryKeys];

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
