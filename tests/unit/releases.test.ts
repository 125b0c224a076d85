import { expect } from "chai";
import {
    Content, decideRelease, freeLabel, healthPathOf, labelForTree, labelProblem, refusalMessage, refusalNote, Release, shortContent, withOutcome,
} from "../../local/releases/releases";

const tree: Content = { hash: "a".repeat(64), broken: false };
const edited: Content = { hash: "b".repeat(64), broken: false };
const release = (label: string, content: Content): Release =>
    ({ label, ...content, builtAt: "2025-06-01T12:00:03Z", runs: { healthPath: "/health", migrateCommand: "node dist/tools/migrate.js" } });

describe("local releases: a label names one content", () => {
    const releases = [release("v1", tree), release("v2", tree), release("v3", { ...tree, broken: true })];

    describe("decideRelease, row by row of its table", () => {
        it("builds a label no release has", () => {
            expect(decideRelease(releases, "v4", edited)).to.deep.equal({ kind: "new" });
        });

        it("rolls a label out again when it names this very content", () => {
            expect(decideRelease(releases, "v2", tree)).to.deep.equal({ kind: "recorded", release: releases[1] });
        });

        it("refuses a label that names other content (the app was edited)", () => {
            expect(decideRelease(releases, "v1", edited)).to.deep.equal({ kind: "refused", release: releases[0] });
        });

        it("counts the broken marker as content: a healthy label is never re-pointed at a broken build", () => {
            expect(decideRelease(releases, "v2", { ...tree, broken: true })).to.deep.equal({ kind: "refused", release: releases[1] });
        });

        it("and a broken label never at a healthy build, while the broken one redeploys as itself", () => {
            expect(decideRelease(releases, "v3", tree).kind).to.equal("refused");
            expect(decideRelease(releases, "v3", { ...tree, broken: true }).kind).to.equal("recorded");
        });
    });

    describe("the refusal", () => {
        const message = refusalMessage(releases[0], edited, releases, true);

        it("says what the label is: its content and when it was built", () => {
            expect(message).to.include(`v1: ${"a".repeat(16)}, built 2025-06-01T12:00:03Z`);
        });

        it("says what the tree is now", () => {
            expect(message).to.include(`the app tree now: ${"b".repeat(16)}`);
        });

        it("ships the tree under a free label, and rolls back with rollback", () => {
            expect(message).to.include("npx ha-web deploy v4");
            expect(message).to.include("to roll back to v1: npx ha-web rollback v1");
        });

        it("names the label the tree has already, instead of a new one", () => {
            const back = refusalMessage(release("v9", edited), tree, [...releases, release("v9", edited)], true);
            expect(back).to.include("it is release v1 already: npx ha-web deploy v1");
        });

        it("keeps the broken marker in the command that ships a broken build", () => {
            expect(refusalMessage(releases[1], { ...tree, broken: true }, releases.slice(0, 2), true)).to.include("npx ha-web deploy v3 --broken");
        });

        it("does not offer a rollback to an image that is gone", () => {
            const gone = refusalMessage(releases[0], edited, releases, false);
            expect(gone).not.to.include("rollback");
            expect(gone).to.include("its image is gone");
        });
    });

    it("shows content as 16 hex, as AWS tags the image, with the broken marker", () => {
        expect(shortContent({ ...tree, broken: true })).to.equal(`${"a".repeat(16)}+broken`);
    });

    it("finds a free label by counting up, or by a suffix when the label has no number", () => {
        expect(freeLabel(releases, "v5")).to.equal("v5");
        expect(freeLabel(releases, "v1")).to.equal("v4");
        expect(freeLabel([release("prod", tree), release("prod-2", tree)], "prod")).to.equal("prod-3");
    });

    it("gives the tree on a new stack v1, or the label it has", () => {
        expect(labelForTree([], tree)).to.equal("v1");
        expect(labelForTree(releases, tree)).to.equal("v1");
        expect(labelForTree(releases, edited)).to.equal("v4");
    });

    it("takes labels that are Docker tags, and refuses others naming the value", () => {
        expect(labelProblem("v5")).to.equal(undefined);
        expect(labelProblem("2025-06-01_rc.1")).to.equal(undefined);
        expect(labelProblem("-v5")).to.include('"-v5"');
        expect(labelProblem("v5/evil")).to.include('"v5/evil"');
        expect(labelProblem("x".repeat(129))).to.include("at most 128");
        expect(labelProblem("broken")).to.include("marker");
    });

    describe("healthPathOf: the path status asks a host's live app, as the deploy asked it", () => {
        const own = { ...release("py-1", edited), runs: { healthPath: "/healthz", migrateCommand: "python3 migrate.py" } };
        const book = [...releases, own];

        it("is the health path of the release the host serves, as it was deployed", () => {
            expect(healthPathOf(book, "v1", "py-1")).to.equal("/healthz");
            expect(healthPathOf(book, "py-1", "v2")).to.equal("/health");
        });

        it("is the current release's for a host whose live app does not answer", () => {
            expect(healthPathOf(book, "py-1", undefined)).to.equal("/healthz");
        });

        it("is the current release's for a version the stack has no record of", () => {
            expect(healthPathOf(book, "py-1", "v0")).to.equal("/healthz");
        });

        it("is undefined while the stack records neither (then the settings' appHealthPath is asked)", () => {
            expect(healthPathOf([], undefined, undefined)).to.equal(undefined);
        });
    });

    describe("a refused rollout, as releases shows it", () => {
        const refusedAt = "2025-06-02T08:00:00Z";
        const error = "host-a  rollout  failed (exit 1): sudo -n /usr/local/sbin/ha-web-step rollout\naborting deployment: health check failed";

        it("records when, and the error's first line with its padding closed up", () => {
            const refused = withOutcome(releases[2], error, refusedAt);
            expect(refused.refused).to.deep.equal({ at: refusedAt, reason: "host-a rollout failed (exit 1): sudo -n /usr/local/sbin/ha-web-step rollout" });
            expect(refusalNote(refused)).to.equal(`refused ${refusedAt}: host-a rollout failed (exit 1): sudo -n /usr/local/sbin/ha-web-step rollout`);
        });

        it("forgets it once the release rolls out, and keeps everything else", () => {
            const refused = withOutcome(releases[2], error, refusedAt);
            expect(withOutcome(refused, undefined, "2025-06-02T09:00:00Z")).to.deep.equal(releases[2]);
            expect(refusalNote(releases[2])).to.equal(undefined);
        });

        it("keeps only the latest refusal", () => {
            const twice = withOutcome(withOutcome(releases[2], "first", refusedAt), "second", "2025-06-03T00:00:00Z");
            expect(twice.refused).to.deep.equal({ at: "2025-06-03T00:00:00Z", reason: "second" });
        });
    });
});
