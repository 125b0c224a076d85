import "../unit/support/pulumiMocks";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "path";
import { DirectorySpec, FileSetInputs, FileSetState, FileSpec } from "../../components/hostFiles/fileSet";
import { contentHash, directoryHash } from "../../components/plan/hash";
import { serializedProvider } from "../support/serializedProvider";
import { startSshHost, SshHost } from "../support/sshHost";

const file = (p: string, content: string, mode = "0644"): FileSpec => ({ path: p, mode, content, hash: contentHash(content) });
const appDir = path.join(__dirname, "..", "..", "app");

/** The HostFiles provider, serialized by the program (so what runs is what Pulumi would run), against a real SSH host. */
describe("HostFiles provider (serialized by the program, run against a real SSH host)", function () {
    this.timeout(180_000);
    let provider: pulumi.dynamic.ResourceProvider;
    let host: SshHost;

    before(async () => {
        provider = await serializedProvider("pulumi-nodejs:dynamic/ha-web:HostFiles", "setup-host-a-host-config");
        host = await startSshHost({ alsoListenOn: "127.0.0.2" });
    });
    after(async () => host?.stop());

    const inputs = (overrides: Partial<FileSetInputs> = {}): FileSetInputs => ({
        name: "host-config",
        hostName: "test-host",
        connection: host.target,
        machine: host.container,
        files: [file("/etc/ha-web-test/keep.conf", "keep\n"), file("/etc/ha-web-test/change.conf", "v1\n"), file("/etc/ha-web-test/remove.conf", "bye\n")],
        secretFiles: [file("/etc/ha-web-test/app.env", "DB_PASSWORD=s3cret\n", "0600")],
        directories: [],
        ...overrides,
    });
    const stat = (p: string) => host.shell(`stat -c '%a %U %i' ${p}`).then((s) => s.trim());

    it("creates every file as root with its mode; secret content stays out of the outputs", async () => {
        const { outs } = await provider.create!(inputs());
        expect(await host.shell("cat /etc/ha-web-test/change.conf")).to.equal("v1\n");
        expect(await stat("/etc/ha-web-test/app.env")).to.match(/^600 root /);
        expect(await stat("/etc/ha-web-test/keep.conf")).to.match(/^644 root /);
        expect(JSON.stringify(outs)).to.not.contain("s3cret");
        expect(await host.shell("ls /tmp")).to.not.contain("ha-web-files.");
    });

    it("diffs by hash: unchanged is no change; a changed, a removed and an unchanged file update as such", async () => {
        const { outs } = await provider.create!(inputs());
        expect((await provider.diff!("id", outs, inputs())).changes).to.equal(false);
        const keptInode = await stat("/etc/ha-web-test/keep.conf");
        const next = inputs({ files: [file("/etc/ha-web-test/keep.conf", "keep\n"), file("/etc/ha-web-test/change.conf", "v2\n")] });
        expect(await provider.diff!("id", outs, next)).to.include({ changes: true });
        await provider.update!("id", outs, next);
        expect(await host.shell("cat /etc/ha-web-test/change.conf")).to.equal("v2\n");
        expect(await host.shell("test -e /etc/ha-web-test/remove.conf && echo present || echo absent")).to.equal("absent\n");
        expect(await stat("/etc/ha-web-test/keep.conf"), "an unchanged file is not rewritten").to.equal(keptInode);
    });

    it("replaces on a new machine; the old placement's delete then leaves the new one's files", async () => {
        const first = await provider.create!(inputs());
        expect((await provider.diff!("id", first.outs, inputs({ machine: "another-machine" }))).replaces).to.deep.equal(["machine"]);
        const second = await provider.create!(inputs({ machine: "another-machine" }));
        await provider.delete!("id", first.outs as FileSetState);
        expect(await host.shell("cat /etc/ha-web-test/keep.conf")).to.equal("keep\n");
        await provider.delete!("id", second.outs as FileSetState);
        expect(await host.shell("ls /etc/ha-web-test 2>/dev/null | wc -l")).to.equal("0\n");
    });

    it("re-places every file when the host is reached at a new address, relying on nothing an earlier run left", async () => {
        const { outs } = await provider.create!(inputs());
        // What an earlier run might have left or what drifted since: neither matters to the new placement.
        await host.shell("echo drifted > /etc/ha-web-test/keep.conf; rm -rf /tmp/ha-web-files.*");
        const moved = inputs({ connection: { ...host.target, host: "127.0.0.2" } });
        expect(await provider.diff!("id", outs, moved)).to.include({ changes: true });
        const { outs: after } = await provider.update!("id", outs, moved) as { outs: FileSetState };
        expect(after.connection.host).to.equal("127.0.0.2");
        expect(await host.shell("cat /etc/ha-web-test/keep.conf")).to.equal("keep\n");
    });

    it("places app/ as a directory, root-only: the Dockerfile lands at /opt/ha-web/app/Dockerfile (not in a subfolder)", async () => {
        const app: DirectorySpec = { path: "/opt/ha-web/app", source: appDir, hash: directoryHash(appDir) };
        await provider.create!(inputs({ name: "app-sources", files: [], secretFiles: [], directories: [app] }));
        expect(await host.shell("test -f /opt/ha-web/app/Dockerfile && test -f /opt/ha-web/app/src/server.ts && echo ok")).to.equal("ok\n");
        // An app's dotfiles (.env) are no one's but root's.
        expect(await host.shell("stat -c %a /opt/ha-web/app /opt/ha-web/app/src /opt/ha-web/app/Dockerfile")).to.equal("700\n700\n600\n");
        expect(await host.shell("ls /opt/ha-web/app")).to.not.contain("node_modules");
    });

    it("refuses a host whose key is not the pinned one, before sending anything", async () => {
        const wrong = inputs({ files: [file("/etc/ha-web-test/never.conf", "x")], connection: { ...host.target, hostKey: host.otherHostKey } });
        let error: Error | undefined;
        await provider.create!(wrong).catch((e: Error) => (error = e));
        expect(error?.message).to.match(/host key does not match the pinned one/);
        expect(await host.shell("test -e /etc/ha-web-test/never.conf && echo present || echo absent")).to.equal("absent\n");
    });

    it("reports a failure with the host and the file", async () => {
        const blocked = inputs({ files: [file("/proc/ha-web-test.conf", "x")] });
        let error: Error | undefined;
        await provider.create!(blocked).catch((e: Error) => (error = e));
        expect(error?.message).to.contain("test-host").and.to.contain("/proc/ha-web-test.conf");
    });
});
