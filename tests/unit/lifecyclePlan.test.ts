import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { hostKeyUserData } from "../../components/plan/hostKeyUserData";
import { hostPaths } from "../../components/plan/hostPaths";
import { rdsIdentifier } from "../../components/plan/rdsNames";
import { awaitInServiceScript, retireHostScript } from "../../components/plan/membershipScripts";
import { hostLogRotation, renderNginxSite } from "../../components/plan/hostConfigFiles";
import { localHostPorts } from "../../components/plan/hostPorts";
import { sampleAppContract } from "../support/appInputs";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

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

describe("await-in-service (run on a new host once it is set up)", () => {
    const statusLine = (status: number, userAgent: string) => JSON.stringify({ uri: "/ping", status, user_agent: userAgent });
    /** Runs the script against an access log with these lines; a short timeout so a failing case ends fast. */
    const awaitWith = (lines: string[]) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-in-service-"));
        try {
            const log = path.join(dir, "access.log");
            fs.writeFileSync(log, lines.map((l) => `${l}\n`).join(""));
            const script = awaitInServiceScript({ ...hostPaths, nginxAccessLog: log }).replace(/TIMEOUT_SECONDS="\d+"/, 'TIMEOUT_SECONDS="1"');
            return spawnSync("bash", ["-c", script, "await-in-service"], { encoding: "utf8" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("is shellcheck clean", () => {
        const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: awaitInServiceScript(), encoding: "utf8" });
        expect(result.stdout).to.equal("");
    });

    it("returns once the load balancer's latest checks got 200, whatever users got meanwhile", () => {
        const result = awaitWith([
            statusLine(502, "ELB-HealthChecker/2.0"), "not json",
            statusLine(200, "ELB-HealthChecker/2.0"), statusLine(500, "curl/8"), statusLine(200, "ELB-HealthChecker/2.0"),
        ]);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.match(/is in service: the load balancer's last 2 health checks got 200/);
    });

    it("fails with the statuses it saw when the latest checks did not all pass", () => {
        const result = awaitWith([statusLine(200, "ELB-HealthChecker/2.0"), statusLine(503, "ELB-HealthChecker/2.0")]);
        expect(result.status).to.equal(1);
        expect(result.stderr).to.match(/did not find .* healthy within 1s \(latest statuses: 200 503\)/);
    });

    it("fails when no check arrived at all", () => {
        const result = awaitWith([statusLine(200, "Mozilla/5.0")]);
        expect(result.status).to.equal(1);
        expect(result.stderr).to.match(/latest statuses: none seen/);
    });

    it("reads the log nginx writes for the site", () => {
        const site = renderNginxSite(localHostPorts("host-a", 0), { listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir: "/shared/data", logging: hostLogRotation, metrics: testMetrics, appNetwork: testAppNetwork }, hostPaths, sampleAppContract);
        expect(site).to.contain(`access_log ${hostPaths.nginxAccessLog} `);
        expect(awaitInServiceScript()).to.contain(`ACCESS_LOG="${hostPaths.nginxAccessLog}"`);
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
