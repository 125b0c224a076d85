import * as http from "http";
import { probe } from "../http/probe";
import { notesPath } from "./loadGenerator";
import { Sample } from "./sample";

/** The acknowledged writes read back after a drill: lost ones (gone or changed) and ones that could not be read. */
export interface WriteCheck {
    checked: number;
    /** Acknowledged with a 201, then 404 or another text: the promise of the 201 was broken. */
    lost: string[];
    /** Still unanswered after every attempt (the app or database not back): not proven either way. */
    unreadable: string[];
}

/** Each read gets this many tries a second apart: a drill may end while the path back is still recovering. */
const attempts = 5;
const concurrency = 8;

/** Reads every note the app acknowledged (201 with an id) through `baseUrl` and compares its text. */
export async function readBackWrites(baseUrl: string, samples: Sample[]): Promise<WriteCheck> {
    const acknowledged = samples.filter((s) => s.write?.id !== undefined).map((s) => s.write as { text: string; id: number });
    const check: WriteCheck = { checked: acknowledged.length, lost: [], unreadable: [] };
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const queue = [...acknowledged];
    const reader = async () => {
        for (let note = queue.shift(); note; note = queue.shift()) {
            const outcome = await readBack(baseUrl, agent, note);
            if (outcome) check[outcome.kind].push(outcome.detail);
        }
    };
    try {
        await Promise.all(Array.from({ length: concurrency }, reader));
    } finally {
        agent.destroy();
    }
    return check;
}

async function readBack(baseUrl: string, agent: http.Agent, note: { text: string; id: number }): Promise<{ kind: "lost" | "unreadable"; detail: string } | undefined> {
    if (note.id < 0) return { kind: "lost", detail: `"${note.text}": acknowledged without an id` };
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
        const answer = await probe(new URL(`${notesPath}/${note.id}`, baseUrl), { agent, timeoutMs: 10_000 });
        if (answer.status === 200) {
            return answer.text === note.text ? undefined : { kind: "lost", detail: `id ${note.id}: "${note.text}" reads back as "${answer.text.slice(0, 80)}"` };
        }
        if (answer.status === 404) return { kind: "lost", detail: `id ${note.id}: "${note.text}" is gone (404)` };
        last = answer.error ?? `HTTP ${answer.status}`;
        await new Promise((r) => setTimeout(r, 1000));
    }
    return { kind: "unreadable", detail: `id ${note.id}: ${last} after ${attempts} attempts` };
}
