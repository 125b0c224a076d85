import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contentHash, directoryHash } from "../../components/plan/hash";

describe("contentHash and directoryHash", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hash-"));
        fs.mkdirSync(path.join(dir, "src"));
        fs.writeFileSync(path.join(dir, "package.json"), "{}");
        fs.writeFileSync(path.join(dir, "src", "a.ts"), "a");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("hashes text with sha256", () => {
        expect(contentHash("abc")).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });

    it("gives the same directory hash for the same files", () => {
        expect(directoryHash(dir)).to.equal(directoryHash(dir));
    });

    it("ignores node_modules, dist and .git", () => {
        const before = directoryHash(dir);
        for (const ignored of ["node_modules", "dist", ".git"]) {
            fs.mkdirSync(path.join(dir, ignored));
            fs.writeFileSync(path.join(dir, ignored, "x.js"), "x");
        }
        expect(directoryHash(dir)).to.equal(before);
    });

    it("changes when a file's content, name or location changes", () => {
        const before = directoryHash(dir);
        fs.writeFileSync(path.join(dir, "src", "a.ts"), "b");
        const edited = directoryHash(dir);
        fs.renameSync(path.join(dir, "src", "a.ts"), path.join(dir, "src", "b.ts"));
        const renamed = directoryHash(dir);
        fs.renameSync(path.join(dir, "src", "b.ts"), path.join(dir, "b.ts"));
        expect(new Set([before, edited, renamed, directoryHash(dir)]).size).to.equal(4);
    });
});
