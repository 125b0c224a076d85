import { expect } from "chai";
import { Sample } from "../../local/load/sample";
import { readBackWrites } from "../../local/load/writeCheck";

function write(text: string, id?: number): Sample {
    return { sentAt: 0, latencyMs: 1, connection: "keep-alive", method: "POST", path: "/api/notes", status: id === undefined ? 503 : 201, write: { text, id } };
}

describe("reading back a drill's acknowledged writes", () => {
    it("passes a note stored byte for byte, and names one that is gone, changed or acknowledged without an id", async () => {
        const stored = new Map([[1, Buffer.from("a")], [2, Buffer.from("B")]]);
        const check = await readBackWrites([write("a", 1), write("b", 2), write("c", 3), write("d", -1), write("unacknowledged")],
            async (ids) => new Map(ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id)!])));
        expect(check.checked).to.equal(4);
        expect(check.lost).to.deep.equal([
            "\"d\": acknowledged without an id",
            "id 2: \"b\" reads back as \"B\"",
            "id 3: \"c\" is gone (no row)",
        ]);
        expect(check.unreadable).to.deep.equal([]);
    });

    it("asks for every acknowledged id, in batches, whatever the number", async () => {
        const notes = Array.from({ length: 12_001 }, (_, i) => write(`note ${i}`, i));
        const asked: number[][] = [];
        const check = await readBackWrites(notes, async (ids) => {
            asked.push(ids);
            return new Map(ids.map((id) => [id, Buffer.from(`note ${id}`)]));
        });
        expect(check.lost).to.deep.equal([]);
        expect(asked.flat()).to.deep.equal(notes.map((n) => n.write!.id));
        expect(Math.max(...asked.map((batch) => batch.length))).to.be.at.most(5000);
    });

    it("retries a database that does not answer, and counts its notes unreadable (not lost) if it never does", async () => {
        let calls = 0;
        const check = await readBackWrites([write("a", 1)], async () => {
            calls++;
            throw new Error("connect ECONNREFUSED");
        }, { attempts: 5, delayMs: 1 });
        expect(calls).to.equal(5);
        expect(check.lost).to.deep.equal([]);
        expect(check.unreadable).to.deep.equal(["id 1: connect ECONNREFUSED after 5 attempts"]);
    });

    it("reads a batch again after a failed attempt, so a database back within the retries proves the notes", async () => {
        let calls = 0;
        const check = await readBackWrites([write("a", 1)], async () => {
            if (++calls === 1) throw new Error("connect ECONNREFUSED");
            return new Map([[1, Buffer.from("a")]]);
        }, { attempts: 5, delayMs: 1 });
        expect([calls, check.lost.length, check.unreadable.length]).to.deep.equal([2, 0, 0]);
    });
});
