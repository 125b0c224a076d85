import * as fs from "fs";
import * as mysql from "mysql2/promise";
import * as path from "path";
import { appDefaults } from "../../components/plan/appSettings";
import { copySources } from "../../components/plan/hash";
import { adminPasswordSecret, databaseCaFile } from "../stack/database";
import { activeSettingsFile } from "../releases/localSettings";
import { primaryAddress } from "../stack/databasePair";
import { secret } from "../stack/secrets";
import { database, repoRoot, stateDir } from "../stack/stackLayout";

/**
 * The sample's second migration: drill 1's v2 is the sample app plus this file, which adds a
 * column (an expand step: v1 keeps working). Later drill releases keep it, as a real next release
 * would: the migration tool refuses a recorded file that is gone or changed.
 */
export const addColumnMigration = { "migrations/002_add_notes_language.sql": "ALTER TABLE notes ADD COLUMN language VARCHAR(16) NULL;\n" };

/** The settings file the drills run with: the defaults, whatever the developer's local.settings.json says. */
export const drillSettings = "drills";

/** Under the stack's state: `down` removes them with it. */
const variantsDir = path.join(stateDir, "drill-apps");

/**
 * The local settings of a copy of app/ with extra files (a migration, say): a release with content
 * of its own, still the sample app, so its migration command is the sample's.
 */
export function appVariant(name: string, extraFiles: Record<string, string>): { appDir: string; appMigrateCommand: string } {
    const dir = path.join(variantsDir, name);
    copySources(path.join(repoRoot, "app"), dir);
    for (const [file, text] of Object.entries(extraFiles)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return { appDir: dir, appMigrateCommand: appDefaults.appMigrateCommand };
}

/**
 * Runs `action` while the local stack reads `settings` as its local.settings.json (the keys an
 * operator would set: appDir, appEnv, appSecrets, ...), then reads the previous file again.
 */
export async function withLocalSettings<T>(name: string, settings: Record<string, unknown>, action: () => Promise<T>): Promise<T> {
    const restore = useLocalSettings(name, settings);
    try {
        return await action();
    } finally {
        restore();
    }
}

/** The settings the stack runs with now (its active local settings file), with `changes` on top. */
export function activeSettingsWith(changes: Record<string, unknown>): Record<string, unknown> {
    const file = activeSettingsFile();
    const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown> : {};
    return { ...current, ...changes };
}

/**
 * The canary window every drill's deploys get unless the drill sets its own: the default's 30 s on
 * each deploy would add minutes to the suite; the thresholds stay the defaults.
 */
export const drillCanarySettings = { canarySeconds: 5, canaryMinRequests: 20 };

/** Points the local stack at a settings file of its own (mode 0600: it may hold secrets); returns the undo. */
export function useLocalSettings(name: string, settings: Record<string, unknown>): () => void {
    fs.mkdirSync(variantsDir, { recursive: true });
    const file = path.join(variantsDir, `${name}.settings.json`);
    fs.writeFileSync(file, JSON.stringify({ ...drillCanarySettings, ...settings }, null, 2) + "\n", { mode: 0o600 });
    const before = process.env.HA_WEB_LOCAL_SETTINGS;
    process.env.HA_WEB_LOCAL_SETTINGS = file;
    return () => {
        if (before === undefined) delete process.env.HA_WEB_LOCAL_SETTINGS;
        else process.env.HA_WEB_LOCAL_SETTINGS = before;
    };
}

/** Asks the local database as its admin, over verified TLS (drills check what a migration did). */
export async function queryDatabase(sql: string, values: unknown[] = []): Promise<unknown[]> {
    const connection = await mysql.createConnection({
        host: await primaryAddress(), port: database.port, user: database.adminUser, password: secret(adminPasswordSecret),
        ssl: { ca: fs.readFileSync(databaseCaFile, "utf8"), rejectUnauthorized: true },
    });
    try {
        const [rows] = await connection.query(sql, values);
        return rows as unknown[];
    } finally {
        await connection.end();
    }
}
