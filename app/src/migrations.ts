import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** One `NNN_name.sql` file: its statements run as one multi-statement query. */
export interface MigrationFile {
    name: string;
    sql: string;
    /** sha256 of the file's bytes, recorded when it is applied: an applied file must never change. */
    checksum: string;
}

/** A row of `schema_migrations`. */
export interface AppliedMigration {
    name: string;
    checksum: string;
}

/**
 * What a run does with each name, in name order:
 *   file on disk | recorded            | action
 *   yes          | no                  | apply, then record
 *   yes          | yes, same checksum  | nothing ("already applied")
 *   yes          | yes, other checksum | refuse the whole run before applying anything
 *   no           | yes                 | nothing: a later release's file, and this is an earlier
 *                                         release deployed again (a rollback); expand/contract keeps
 *                                         that schema working for it
 */
export type PlannedStep =
    | { action: "apply"; file: MigrationFile }
    | { action: "already applied"; name: string }
    | { action: "applied by a later release"; name: string };

export interface MigrationPlan {
    steps: PlannedStep[];
    /** One line per refused file; when any, nothing is applied. */
    refused: string[];
}

export const migrationsTable = "schema_migrations";

const fileName = /^\d{3}_[A-Za-z0-9_]+\.sql$/;

/** Reads the migration files; every `.sql` file must be named NNN_name.sql with a number of its own. */
export function readMigrationFiles(dir: string): MigrationFile[] {
    const names = fs.readdirSync(dir).filter((name) => name.endsWith(".sql")).sort();
    const problems: string[] = [];
    const numbers = new Map<string, string>();
    for (const name of names) {
        if (!fileName.test(name)) {
            problems.push(`${name}: not named NNN_name.sql (three digits, underscore, letters, digits or _)`);
            continue;
        }
        const number = name.slice(0, 3);
        const other = numbers.get(number);
        if (other) problems.push(`${name}: number ${number} is already ${other}'s; give it the next free number`);
        numbers.set(number, name);
    }
    if (problems.length > 0) {
        throw new Error(`Invalid migration files in ${dir}:\n${problems.map((problem) => ` - ${problem}`).join("\n")}`);
    }
    return names.map((name) => {
        const bytes = fs.readFileSync(path.join(dir, name));
        return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationPlan {
    const recorded = new Map(applied.map((row) => [row.name, row.checksum]));
    const onDisk = new Set(files.map((file) => file.name));
    const refused = files
        .filter((file) => recorded.has(file.name) && recorded.get(file.name) !== file.checksum)
        .map((file) => `${file.name} changed since it was applied (sha256 ${recorded.get(file.name)} then, ${file.checksum} now): `
            + "an applied migration must stay as it ran; restore it and put the change in a new file");
    const steps: PlannedStep[] = [
        ...files.map((file): PlannedStep => recorded.has(file.name)
            ? { action: "already applied", name: file.name }
            : { action: "apply", file }),
        ...applied.filter((row) => !onDisk.has(row.name))
            .map((row): PlannedStep => ({ action: "applied by a later release", name: row.name })),
    ];
    const nameOf = (step: PlannedStep): string => step.action === "apply" ? step.file.name : step.name;
    steps.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
    return { steps, refused };
}
