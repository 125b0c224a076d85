import { expect } from "chai";
import { exitStatusOf } from "../support/exitStatus";

describe("exitStatusOf: a program's exit status, never a missing program's", () => {
    it("returns the status of a program that ran", () => {
        expect(exitStatusOf("bash", ["-c", "exit 0"])).to.equal(0);
        expect(exitStatusOf("bash", ["-c", "exit \"$CODE\""], { CODE: "3" })).to.equal(3);
    });

    it("throws for a program that is not installed, naming it, instead of a status that reads as non-zero", () => {
        expect(() => exitStatusOf("ha-web-no-such-program", ["version"])).to.throw("ha-web-no-such-program is not installed (not on PATH)");
    });

    it("throws for a program killed by a signal", () => {
        expect(() => exitStatusOf("bash", ["-c", "kill -TERM $$"])).to.throw(/was killed by SIGTERM/);
    });
});
