import { expect } from "chai";
import { isSha256, parsePublishedRelease, pinnedImage, releaseLabelProblem, shortDigest } from "../../components/plan/releaseImage";

const digest = `sha256:${"a".repeat(64)}`;
const imageId = `sha256:${"b".repeat(64)}`;

describe("a release's image: built once, named by label, pulled by digest", () => {
    it("takes labels that are Docker tags, on AWS as locally, and names the rule when one is not", () => {
        for (const label of ["v5", "2026-06-01_rc.1", "_x"]) expect(releaseLabelProblem(label), label).to.equal(undefined);
        for (const label of ["-v5", ".v5", "v5/evil", "v5:latest", "", "x".repeat(129)]) {
            expect(releaseLabelProblem(label), label).to.include(JSON.stringify(label)).and.include("letters, digits");
        }
    });

    it("pins the hosts' reference to a sha256 digest and refuses anything else, naming it", () => {
        expect(pinnedImage("127.0.5.1:5000/ha-web-app", digest)).to.equal(`127.0.5.1:5000/ha-web-app@${digest}`);
        expect(() => pinnedImage("r/app", "v5")).to.throw('release digest "v5" is not sha256:<64 hex digits>');
        expect(isSha256(`sha256:${"A".repeat(64)}`), "upper-case hex is not how Docker writes a digest").to.equal(false);
        expect(shortDigest(digest)).to.equal("aaaaaaaaaaaa");
    });

    it("reads the publish script's record from its last line, after whatever the build printed", () => {
        const output = `Step 1/9 ...\npushed\n${JSON.stringify({ label: "v2", digest, imageId })}\n`;
        expect(parsePublishedRelease(output, "v2")).to.deep.equal({ label: "v2", digest, imageId });
    });

    it("refuses output that is not a release record, quoting its last line", () => {
        expect(() => parsePublishedRelease("error: denied\n", "v2")).to.throw(/did not end with its record .*"error: denied"/);
    });

    it("lists every problem of a record at once: another label, a digest or image id that is not sha256", () => {
        const wrong = JSON.stringify({ label: "v1", digest: "sha256:123", imageId: "latest" });
        expect(() => parsePublishedRelease(wrong, "v2")).to.throw(Error)
            .with.property("message").that.matches(/label is "v1", not "v2"/)
            .and.matches(/digest "sha256:123" is not sha256/)
            .and.matches(/imageId "latest" is not sha256/);
    });
});
