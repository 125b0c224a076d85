import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    FileSetInputs, fileSetChanges, fileSetProblems, FileSpec, installScript, removalScript, stagedName, stateOf,
} from "../../components/hostFiles/fileSet";
import { contentHash } from "../../components/plan/hash";

const file = (p: string, content: string, mode = "0644"): FileSpec => ({ path: p, mode, content, hash: contentHash(content) });

function inputs(overrides: Partial<FileSetInputs> = {}): FileSetInputs {
    return {
        name: "host-config",
        hostName: "host-a",
        connection: { host: "198.51.100.10", port: 22, user: "admin", privateKey: "k", hostKey: "ssh-ed25519 AAAA" },
        machine: "i-0abc",
        files: [file("/etc/ha-web/a.conf", "a"), file("/etc/ha-web/b.conf", "b")],
        secretFiles: [file("/etc/ha-web/app.env", "DB_PASSWORD=x\n", "0600")],
        directories: [{ path: "/opt/ha-web/app", source: "/repo/app", hash: "c".repeat(64) }],
        ...overrides,
    };
}

const written = (i: FileSetInputs, n: FileSetInputs) => {
    const { write } = fileSetChanges(stateOf(i, "owner1"), n);
    return [...write.files, ...write.directories].map((e) => e.path);
};

describe("file sets: what changes", () => {
    it("keeps hashes, never contents, in state", () => {
        const state = stateOf(inputs(), "owner1");
        expect(JSON.stringify(state)).to.not.contain("DB_PASSWORD");
        expect(state.secretFiles[0]).to.deep.equal({ path: "/etc/ha-web/app.env", mode: "0600", hash: contentHash("DB_PASSWORD=x\n") });
    });

    it("writes nothing for an unchanged set", () => {
        const changes = fileSetChanges(stateOf(inputs(), "o"), inputs());
        expect(changes).to.deep.equal({ write: { files: [], directories: [] }, remove: [], replace: false });
    });

    it("writes a changed file, a changed mode and a new file; removes a file that left the set", () => {
        const next = inputs({ files: [file("/etc/ha-web/a.conf", "a2"), file("/etc/ha-web/c.conf", "c")], secretFiles: [file("/etc/ha-web/app.env", "DB_PASSWORD=x\n", "0640")] });
        expect(written(inputs(), next)).to.deep.equal(["/etc/ha-web/a.conf", "/etc/ha-web/c.conf", "/etc/ha-web/app.env"]);
        expect(fileSetChanges(stateOf(inputs(), "o"), next).remove).to.deep.equal(["/etc/ha-web/b.conf"]);
    });

    it("writes everything again when the host is reached at another address or with another host key", () => {
        const all = ["/etc/ha-web/a.conf", "/etc/ha-web/b.conf", "/etc/ha-web/app.env", "/opt/ha-web/app"];
        expect(written(inputs(), inputs({ connection: { ...inputs().connection, host: "203.0.113.7" } }))).to.deep.equal(all);
        expect(written(inputs(), inputs({ connection: { ...inputs().connection, hostKey: "ssh-ed25519 BBBB" } }))).to.deep.equal(all);
    });

    it("replaces the set when the machine changes", () => {
        expect(fileSetChanges(stateOf(inputs(), "o"), inputs({ machine: "i-0def" })).replace).to.equal(true);
    });

    it("lists every invalid entry in one go, naming the file", () => {
        const problems = fileSetProblems(inputs({
            name: "Host Config",
            files: [{ path: "etc/x", mode: "644", hash: "nope", content: "x" }, file("/etc/../shadow", "x"), file("/etc/ha-web/a.conf", "a"), file("/etc/ha-web/a.conf", "a")],
            secretFiles: [file("/etc/ha-web/app.env", "x", "0644")],
        }));
        expect(problems).to.deep.equal([
            "etc/x: must be an absolute path of letters, digits and ._/@+- without \"..\"",
            "etc/x: hash must be a sha256 in hex",
            "/etc/../shadow: must be an absolute path of letters, digits and ._/@+- without \"..\"",
            "/etc/ha-web/a.conf: listed twice; keep one entry",
            "etc/x: mode \"644\" must be octal like \"0644\"",
            "/etc/ha-web/app.env: a secret file must not be readable by others (mode 0644; use 0600 or 0640)",
            "file set name \"Host Config\" must be lowercase letters, digits and -",
        ]);
        expect(fileSetProblems(inputs())).to.deep.equal([]);
    });
});

describe("file sets: the root-side scripts (run here as root, in a temp folder)", () => {
    let root: string;
    let staging: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-fileset-"));
        staging = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-staging-"));
    });
    afterEach(() => {
        fs.rmSync(root, { recursive: true, force: true });
        fs.rmSync(staging, { recursive: true, force: true });
    });

    const bash = (script: string) => spawnSync("bash", ["-s"], { input: script, encoding: "utf8" });

    it("installs staged files with their modes, swaps a directory in, checks hashes, removes what left, records the owner", () => {
        const target = (p: string) => path.join(root, p);
        const files = [file(target("etc/new.conf"), "hello\n"), file(target("etc/secret.env"), "PW=1\n", "0600")];
        files.forEach((f, i) => fs.writeFileSync(path.join(staging, stagedName(i)), f.content!));
        const dirStage = path.join(staging, stagedName(2));
        fs.mkdirSync(path.join(dirStage, "src"), { recursive: true });
        fs.writeFileSync(path.join(dirStage, "src", "app.ts"), "new");
        fs.mkdirSync(target("app"), { recursive: true });
        fs.writeFileSync(target("app/stale.txt"), "old");
        fs.writeFileSync(target("gone.conf"), "bye");
        const manifest = target("manifests/host-config");
        const result = bash(installScript({
            staging, set: "host-config", owner: "owner1", manifest,
            write: { files, directories: [{ path: target("app"), source: "/unused", hash: "0".repeat(64) }] },
            remove: [target("gone.conf")],
        }));
        expect(result.status, result.stderr).to.equal(0);
        expect(fs.readFileSync(target("etc/new.conf"), "utf8")).to.equal("hello\n");
        expect(fs.statSync(target("etc/secret.env")).mode & 0o777).to.equal(0o600);
        expect(fs.readdirSync(target("app"))).to.deep.equal(["src"]);
        expect(fs.existsSync(target("gone.conf"))).to.equal(false);
        expect(fs.readFileSync(manifest, "utf8")).to.equal("owner1\n");
        expect(fs.existsSync(staging), "staging folder removed").to.equal(false);
        expect(fs.readdirSync(target("etc")).filter((n) => n.includes("ha-web-new"))).to.deep.equal([]);
    });

    it("fails, naming the file, when what arrived does not match its hash", () => {
        const spec = { ...file(path.join(root, "x.conf"), "expected"), content: undefined };
        fs.writeFileSync(path.join(staging, stagedName(0)), "tampered");
        const result = bash(installScript({ staging, set: "s", owner: "o", manifest: path.join(root, "m"), write: { files: [spec], directories: [] }, remove: [] }));
        expect(result.status).to.not.equal(0);
        expect(result.stderr).to.contain(path.join(root, "x.conf"));
    });

    it("removes a deleted set's files only while the manifest still names that placement", () => {
        const manifest = path.join(root, "manifest");
        const placed = path.join(root, "placed.conf");
        fs.writeFileSync(placed, "x");
        fs.writeFileSync(manifest, "newer-placement\n");
        expect(bash(removalScript({ owner: "old-placement", manifest, paths: [placed] })).status).to.equal(0);
        expect(fs.existsSync(placed), "a replacement's file stays").to.equal(true);
        fs.writeFileSync(manifest, "old-placement\n");
        expect(bash(removalScript({ owner: "old-placement", manifest, paths: [placed] })).status).to.equal(0);
        expect(fs.existsSync(placed)).to.equal(false);
        expect(fs.existsSync(manifest)).to.equal(false);
    });
});
