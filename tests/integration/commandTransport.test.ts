import { recorded } from "../unit/support/pulumiMocks";
import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HostSetup } from "../../components/hostSetup";
import { awsHostPorts } from "../../components/plan/hostPorts";
import { planHosts, SharedHostInputs } from "../../components/plan/stackPlan";
import { CommandStep } from "../../components/plan/step";
import { builtAppSource } from "../../components/plan/hostPlan";
import { runHostPlans } from "../../local/executor/stepExecutor";
import { sampleAppInputs } from "../support/appInputs";
import { startSshHost, SshHost } from "../support/sshHost";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

/**
 * One plan, two executors, the same bytes: what the program registers as each remote.Command's
 * `create` and `stdin` (under Pulumi mocks) is exactly what the local executor sends over SSH,
 * as sshd receives it (a forced command records SSH_ORIGINAL_COMMAND and stdin on the host).
 */
const layouts = [awsHostPorts("host-a"), awsHostPorts("host-b")];
const values: SharedHostInputs<string> = {
    trustedProxyCidr: "10.20.0.0/16",
    sharedDataDir: "/shared/data",
    logging: hostLogRotation,
    metrics: testMetrics, appNetwork: testAppNetwork,
    efsDns: "fs-1.efs.us-west-2.amazonaws.com",
    efsAccessPoint: "fsap-01",
    db: {
        host: "db.example.rds.amazonaws.com", port: "3306", name: "app", user: "app", password: "app-pw-'$x\"",
        adminUser: "admin", adminPassword: "admin-pw-`id`", tlsCaUrl: "https://truststore.pki.rds.amazonaws.com/us-west-2/us-west-2-bundle.pem",
    },
    appSource: builtAppSource("/repo/app", "ab".repeat(32)),
    npmCa: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    app: { ...sampleAppInputs, env: { GREETING: "hi #not a comment ${HOME}" }, secrets: { API_KEY: "key-'$(id)\"" } },
    rolloutBatchSize: 1,
};
const plans = planHosts<string>(layouts, values);

const recorder = `#!/usr/bin/env bash
set -euo pipefail
mkdir -p /tmp/recorded
n="$(date +%s%N)-$$"
printf '%s' "$SSH_ORIGINAL_COMMAND" >"/tmp/recorded/$n.command"
cat >"/tmp/recorded/$n.stdin"
`;

type Sent = { command: string; stdin: string };
const key = (s: Sent) => JSON.stringify([s.command, s.stdin]);

async function registeredByProgram(): Promise<Sent[]> {
    recorded.length = 0;
    new HostSetup("setup", {
        plans: plans.map((p) => ({ ...p, instanceId: "i-0abc", address: "198.51.100.7", hostKey: "ssh-ed25519 AAAAmock" })),
        sshUser: "admin",
        sshPrivateKey: "mock-key",
        stepPrerequisites: {},
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const unwrap = (value: unknown): string =>
        typeof value === "object" && value !== null ? String((value as { value: unknown }).value ?? "") : String(value ?? "");
    return recorded.filter((r) => r.type === "command:remote:Command")
        .map((r) => ({ command: String(r.inputs.create), stdin: unwrap(r.inputs.stdin) }));
}

describe("command transport: the program and the local executor send the same bytes", function () {
    this.timeout(120_000);
    let host: SshHost;
    before(async () => {
        host = await startSshHost({ authorizedKeyOptions: 'command="/bin/bash /etc/ssh/ha-web/record.sh"', extraFiles: { "record.sh": recorder } });
    });
    after(async () => host?.stop());

    const commandSteps = (planned: typeof plans) => planned.map((p) => {
        const steps = p.steps.filter((s): s is CommandStep<string> => s.kind === "command");
        const kept = new Set(steps.map((s) => s.name));
        return { host: p.host, steps: steps.map((s) => ({ ...s, waitsFor: s.waitsFor.filter((w) => kept.has(w) || w.includes("/")) })) };
    });
    const received = async (): Promise<Sent[]> => {
        const listing = await host.shell("mkdir -p /tmp/recorded && cd /tmp/recorded && for f in *.command; do [ -e \"$f\" ] && echo \"$(base64 -w0 \"$f\") $(base64 -w0 \"${f%.command}.stdin\")\"; done; rm -f /tmp/recorded/*");
        return listing.trim().split("\n").filter((line) => line !== "").map((line) => {
            const [command, stdin = ""] = line.split(" ");
            return { command: Buffer.from(command, "base64").toString(), stdin: Buffer.from(stdin, "base64").toString() };
        });
    };

    it("sends every command step's exact command line and stdin, then only what the engine would run again", async () => {
        const program = await registeredByProgram();
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-executor-"));
        const apply = (planned: typeof plans) =>
            runHostPlans(commandSteps(planned), { access: async () => ({ target: host.target, machine: host.container }), workDir });
        try {
            await apply(plans);
            const local = await received();
            expect(program.length).to.equal(commandSteps(plans).flatMap((p) => p.steps).length);
            expect(local.map(key).sort()).to.deep.equal(program.map(key).sort());
            expect(local.some((s) => s.stdin.includes("admin-pw-`id`")), "a secret stdin travelled too").to.equal(true);

            // Engine semantics: nothing changed -> nothing runs; one changed input -> that command only.
            await apply(plans);
            expect(await received()).to.deep.equal([]);
            await apply(planHosts<string>(layouts, { ...values, db: { ...values.db, tlsCaUrl: "https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem" } }));
            expect((await received()).map((s) => s.command)).to.deep.equal(Array(2).fill("sudo -n /usr/local/sbin/ha-web-step apply-config"));
        } finally {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    });
});
