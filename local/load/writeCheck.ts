import { Sample } from "./sample";

/** The acknowledged writes read back after a drill: lost ones (gone or changed) and ones that could not be read. */
export interface WriteCheck {
    checked: number;
    /** Acknowledged with a 201, then missing from the database or stored as other bytes: the promise of the 201 was broken. */
    lost: string[];
    /** The database did not answer after every attempt (not back yet): not proven either way. */
    unreadable: string[];
}

/** The stored bytes of the notes with these ids (an id with no row is left out). */
export type ReadNotes = (ids: number[]) => Promise<Map<number, Buffer>>;

/** Each batch gets this many tries a second apart: a drill may end while the database is still recovering. */
const defaultRetry = { attempts: 5, delayMs: 1000 };
/** Ids per query: a drill under 32 keep-alive clients acknowledges 100 000 writes and more. */
const batchSize = 5000;

/**
 * Compares every note the app acknowledged (201 with an id) with the row the database holds under
 * that id, byte for byte. Read from the database in batches rather than one GET per note through
 * the load balancer: the rows are what the 201 promised, and at 100 000 notes GETs take minutes.
 */
export async function readBackWrites(samples: Sample[], readNotes: ReadNotes, retry = defaultRetry): Promise<WriteCheck> {
    const acknowledged = samples.filter((s) => s.write?.id !== undefined).map((s) => s.write as { text: string; id: number });
    const check: WriteCheck = { checked: acknowledged.length, lost: [], unreadable: [] };
    for (const note of acknowledged.filter((n) => n.id < 0)) check.lost.push(`"${note.text}": acknowledged without an id`);
    const withId = acknowledged.filter((n) => n.id >= 0);
    for (let start = 0; start < withId.length; start += batchSize) {
        const batch = withId.slice(start, start + batchSize);
        const stored = await readWithRetries(readNotes, batch.map((n) => n.id), retry);
        if (typeof stored === "string") {
            check.unreadable.push(...batch.map((n) => `id ${n.id}: ${stored} after ${retry.attempts} attempts`));
            continue;
        }
        for (const note of batch) {
            const body = stored.get(note.id);
            if (body === undefined) check.lost.push(`id ${note.id}: "${note.text}" is gone (no row)`);
            else if (!body.equals(Buffer.from(note.text, "utf8"))) check.lost.push(`id ${note.id}: "${note.text}" reads back as "${body.toString("utf8").slice(0, 80)}"`);
        }
    }
    return check;
}

/** The rows, or the last error's message when every attempt failed. */
async function readWithRetries(readNotes: ReadNotes, ids: number[], retry: typeof defaultRetry): Promise<Map<number, Buffer> | string> {
    let last = "";
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        try {
            return await readNotes(ids);
        } catch (error) {
            last = (error as Error).message;
            await new Promise((r) => setTimeout(r, retry.delayMs));
        }
    }
    return last;
}
