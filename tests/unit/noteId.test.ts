import { expect } from "chai";
import { parseNoteId } from "../../app/src/notesApi";

describe("parseNoteId (GET /api/notes/<id>)", () => {
    it("takes 1 to 2^53-1 in plain decimal", () => {
        expect(parseNoteId("1")).to.equal(1);
        expect(parseNoteId("9007199254740991")).to.equal(Number.MAX_SAFE_INTEGER);
    });

    it("refuses everything else (the API answers 404)", () => {
        for (const id of ["", "0", "01", "-1", "+1", "1.0", "1e3", "0x10", " 1", "1 ", "9007199254740992", "99999999999999999", "abc"]) {
            expect(parseNoteId(id), JSON.stringify(id)).to.equal(undefined);
        }
    });
});
