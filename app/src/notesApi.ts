import { logEvent } from "./log";
import { DatabaseUnavailable, maxNoteBytes, NoteStore } from "./notes";
import { json, readOnly, Reply, route, Route, text } from "./route";

export const notesPath = "/api/notes";

/**
 * The notes API:
 *   POST /api/notes        body of 1-1024 bytes -> 201 {"id": n} once committed; empty 400; larger 413
 *   GET  /api/notes/<id>   200 with the bytes as stored; 404 when there is no such note, or when <id>
 *                          is not a note id (1 to 2^53-1 in decimal digits, no leading zero)
 *   database down          503 {"error": "database unavailable"} within about 3 s (notes.ts)
 */
export function notesRoutes(store: NoteStore): { collection: Route; item: Route } {
    const unavailable = (error: unknown): Reply => {
        if (!(error instanceof DatabaseUnavailable)) throw error;
        logEvent("database_unavailable", { operation: error.operation, error: error.reason });
        return json(503, { error: "database unavailable" });
    };

    const add = async (body: Buffer): Promise<Reply> => {
        if (body.length === 0) return emptyNote;
        try {
            const id = await store.add(body);
            return json(201, { id }, ["Location", `${notesPath}/${id}`]);
        } catch (error) {
            return unavailable(error);
        }
    };

    const find = async (param: string): Promise<Reply> => {
        const id = parseNoteId(param);
        if (id === undefined) return noSuchNote;
        try {
            const body = await store.find(id);
            // The bytes as stored: no charset is claimed for text the app never decoded.
            return body === undefined ? noSuchNote : { status: 200, body, contentType: "application/octet-stream" };
        } catch (error) {
            return unavailable(error);
        }
    };

    return {
        collection: route({ POST: ({ body }) => add(body) }, maxNoteBytes),
        item: readOnly(({ param }) => find(param)),
    };
}

const emptyNote = text(400, "a note needs a body of 1 to 1024 bytes");
const noSuchNote = text(404, "no such note");

/** A note id as the API hands them out: 1 to 2^53-1, decimal, no sign, no leading zero. */
export function parseNoteId(param: string): number | undefined {
    if (!/^[1-9][0-9]{0,15}$/.test(param)) return undefined;
    const id = Number(param);
    return Number.isSafeInteger(id) ? id : undefined;
}

