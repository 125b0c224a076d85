import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { hostKeyUserData } from "../../components/plan/hostKeyUserData";
import { hostPaths } from "../../components/plan/hostPaths";
import { rdsIdentifier } from "../../components/plan/rdsNames";
import { retireHostScript } from "../../components/plan/retireHost";

const validRdsIdentifier = /^[a-z](?!.*--)[a-z0-9-]{0,254}(?<!-)$/;

describe("RDS identifiers from stack names", () => {
    for (const stack of ["dev", "prod_eu.1", "1st", "a..b__c", "-x-", "Team.Prod"]) {
        it(`builds a valid final-snapshot identifier for stack ${JSON.stringify(stack)}`, () => {
            const id = rdsIdentifier("db", stack, "final", "a1b2c3d4");
            expect(id).to.match(validRdsIdentifier);
            expect(id.endsWith("-final-a1b2c3d4")).to.equal(true);
        });
    }

    it("keeps a stack name that is already valid as it is", () => {
        expect(rdsIdentifier("db", "prod-eu", "final", "a1b2c3d4")).to.equal("db-prod-eu-final-a1b2c3d4");
        expect(rdsIdentifier("db", "prod_eu.1", "final", "a1b2c3d4")).to.equal("db-prod-eu-1-final-a1b2c3d4");
    });

    it("shortens a very long name from the front and keeps the unique suffix", () => {
        const id = rdsIdentifier("db", "s".repeat(400), "final", "a1b2c3d4");
        expect(id).to.have.length.at.most(255);
        expect(id).to.match(validRdsIdentifier);
        expect(id.endsWith("-a1b2c3d4")).to.equal(true);
    });
});

describe("the host key user data", () => {
    it("is cloud-config that installs exactly the given ED25519 key and no generated ones", () => {
        const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----";
        const text = hostKeyUserData(privateKey, "ssh-ed25519 AAAAC3Nza host\n");
        expect(text.split("\n")[0]).to.equal("#cloud-config");
        expect(yaml.load(text)).to.deep.equal({
            ssh_deletekeys: true,
            ssh_genkeytypes: [],
            ssh_keys: { ed25519_private: `${privateKey}\n`, ed25519_public: "ssh-ed25519 AAAAC3Nza host" },
        });
    });
});

describe("retire-host (run on a host before it is deleted)", () => {
    const run = (script: string) => spawnSync("bash", ["-c", script, "retire-host"], { encoding: "utf8" });

    it("is shellcheck clean", () => {
        const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: retireHostScript(), encoding: "utf8" });
        expect(result.stdout).to.equal("");
    });

    it("deletes a host that was never set up at once: it serves nothing", () => {
        const result = run(retireHostScript({ ...hostPaths, drainCommand: "/nonexistent/ha-web-drain" }));
        expect(result.status).to.equal(0);
        expect(result.stdout).to.match(/never set up and serves nothing/);
    });

    it("fails, and keeps the host, when the drain fails", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-retire-"));
        try {
            const drain = path.join(dir, "ha-web-drain");
            fs.writeFileSync(drain, "#!/bin/sh\necho 'drain: cannot write the flag' >&2\nexit 3\n", { mode: 0o755 });
            const result = run(retireHostScript({ ...hostPaths, drainCommand: drain }));
            expect(result.status).to.equal(3);
            expect(result.stdout).not.to.match(/waiting/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
