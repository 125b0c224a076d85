import * as mysql from "mysql2/promise";
import { DatabaseConfig } from "./config";
import { openDatabase } from "./database";
import { describeError, redact } from "./log";

/**
 * The notes store: byte strings in the `notes` table (app/migrations/001_create_notes.sql).
 * Bodies are VARBINARY, so whatever a client sends, valid UTF-8 or not, reads back byte for byte.
 */
export interface NoteStore {
    /** Stores `body` and resolves with its id once the row is committed (autocommit: INSERT returns after COMMIT). */
    add(body: Buffer): Promise<number>;
    /** The stored bytes, or undefined when no note has this id. */
    find(id: number): Promise<Buffer | undefined>;
    close(): Promise<void>;
}

/**
 * Bounds for a database that is down or unreachable: connecting and one query each give up after
 * 2 s, and a whole call (queueing for a connection included) after 3 s, so a request answers
 * 503 within about 3 s and never hangs.
 */
export const noteTimeouts = { timeoutMs: 2_000, deadlineMs: 3_000 };

/** Largest note, in bytes; the column is sized to it. */
export const maxNoteBytes = 1024;

/**
 * A store call that failed because of the database (down, unreachable, refusing): the caller answers
 * 503. `reason` is the driver's error as text, without the password.
 */
export class DatabaseUnavailable extends Error {
    constructor(readonly operation: "add" | "find", readonly reason: string) {
        super(`notes ${operation}: database unavailable (${reason})`);
    }
}

export function createNoteStore(config: DatabaseConfig): NoteStore {
    // Apart from /health's pool, so a burst of writes cannot starve the health check (or the reverse).
    const db = openDatabase(config, { connections: 10, queueLimit: 100, ...noteTimeouts });
    const call = async <T>(operation: DatabaseUnavailable["operation"], work: () => Promise<T>): Promise<T> => {
        try {
            return await work();
        } catch (error) {
            throw new DatabaseUnavailable(operation, redact(describeError(error), config.password));
        }
    };
    return {
        add: (body) => call("add", async () => {
            const result = await db.query<mysql.ResultSetHeader>("INSERT INTO notes (body) VALUES (?)", [body]);
            return result.insertId;
        }),
        find: (id) => call("find", async () => {
            const rows = await db.query<mysql.RowDataPacket[]>("SELECT body FROM notes WHERE id = ?", [id]);
            return rows.length === 0 ? undefined : (rows[0].body as Buffer);
        }),
        close: () => db.close(),
    };
}

