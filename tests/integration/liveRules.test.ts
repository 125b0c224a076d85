import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { liveChains } from "../../local/stack/liveRules";

describe("liveChains: the drills' 'nothing left behind' check", () => {
    it("lists this machine's nat table with the real iptables", async () => {
        expect(await liveChains()).to.be.an("array");
    });

    it("throws when iptables cannot list the table, instead of reporting no chains", async () => {
        // An iptables that fails as it does without root: first on PATH for this test only.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-failing-iptables-"));
        fs.writeFileSync(path.join(dir, "iptables"),
            "#!/bin/sh\necho 'iptables: Could not fetch rule set generation id: Permission denied (you must be root)' >&2\nexit 4\n", { mode: 0o755 });
        const original = process.env.PATH;
        process.env.PATH = `${dir}:${original ?? ""}`;
        try {
            const error = await liveChains().then(() => undefined, (e: Error) => e);
            expect(error?.message).to.match(/^iptables -w -t nat \.\.\. exited 4/).and.to.contain("Permission denied");
        } finally {
            process.env.PATH = original;
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
