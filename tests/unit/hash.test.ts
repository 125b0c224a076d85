import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { contentHash, directoryHash, sourceFiles } from "../../components/plan/hash";

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

describe("the app's sources in a git checkout: what git tracks", () => {
    let repo: string;
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
    beforeEach(() => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-hash-git-"));
        git("init", "--quiet");
        fs.mkdirSync(path.join(repo, "app", "src"), { recursive: true });
        fs.writeFileSync(path.join(repo, "app", "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(repo, "app", "src", "a.ts"), "a");
        fs.writeFileSync(path.join(repo, ".gitignore"), "scratch/\n");
        git("add", ".");
        git("commit", "--quiet", "-m", "app");
    });
    afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));
    const app = () => path.join(repo, "app");

    it("leaves out untracked files, so two checkouts of one commit hash the same", () => {
        const clean = directoryHash(app());
        fs.writeFileSync(path.join(app(), "notes.txt"), "my local notes");
        expect(sourceFiles(app())).to.deep.equal(["Dockerfile", "src/a.ts"]);
        expect(directoryHash(app())).to.equal(clean);
    });

    it("counts a tracked file's content as it is on disk, and drops one deleted from disk", () => {
        const clean = directoryHash(app());
        fs.writeFileSync(path.join(app(), "src", "a.ts"), "changed, not yet committed");
        expect(directoryHash(app())).to.not.equal(clean);
        fs.rmSync(path.join(app(), "src", "a.ts"));
        expect(sourceFiles(app())).to.deep.equal(["Dockerfile"]);
    });

    it("walks a directory git tracks nothing of (an ignored copy, like the local drills' app variants)", () => {
        const copy = path.join(repo, "scratch", "app-copy");
        fs.mkdirSync(copy, { recursive: true });
        fs.writeFileSync(path.join(copy, "Dockerfile"), "FROM scratch\n");
        expect(sourceFiles(copy)).to.deep.equal(["Dockerfile"]);
    });
});
