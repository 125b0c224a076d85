import { expect } from "chai";
import { parseRequestTarget } from "../../app/src/requestTarget";
import { crashTargets } from "../support/hostileHttp";

describe("request targets are split literally", () => {
    it("keeps nginx's view of the path: //x/health is refused, never /health", () => {
        expect(parseRequestTarget("//x/health")).to.deep.equal({ ok: false });
        expect(parseRequestTarget("/health?token=1")).to.deep.equal({ ok: true, path: "/health" });
        expect(parseRequestTarget("/a//b?c?d")).to.deep.equal({ ok: true, path: "/a//b" });
        for (const target of ["http://x/health", "*", "", "health", ...crashTargets]) {
            expect(parseRequestTarget(target), target).to.deep.equal({ ok: false });
        }
    });
});
