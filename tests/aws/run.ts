/**
 * `npm run test:aws`: the program on a real AWS account, end to end, with the Pulumi Automation API.
 * Creates an ephemeral stack (local state in a temp folder), `up`, checks `/` and `/ping` through the
 * load balancer, rolls a new app version while sending requests and counts the failed ones, and
 * destroys everything, also when a check failed. It creates real, billed resources while it runs.
 *
 * Needs the pulumi CLI and AWS credentials. Without either it says "not run" and which is missing,
 * and exits 3 (`notRunExitCode`): having tested nothing is not a pass. HA_WEB_TEST_AWS_OPTIONAL=true
 * makes that exit 0, for a pipeline that runs it where credentials may be absent on purpose.
 * Exit codes: 0 passed, 1 failed (or destroy failed), 3 not run. `npm test` only type-checks this file.
 *
 * Environment: AWS_REGION (default us-west-2); HA_WEB_TEST_AMI_ID (default: the newest Debian 12
 * image, looked up once through an inline Pulumi program); HA_WEB_TEST_SSH_CIDR (default: this
 * machine's public address /32, from checkip.amazonaws.com).
 */
import * as aws from "@pulumi/aws";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { debianAmiNamePattern, debianAmiOwner } from "../../components/plan/settings";
import { headerValue, request } from "../../local/http/probe";
import { repoRoot } from "../../local/stack/stackLayout";

const instanceType = "t3.small";
/** Between load requests: ~20 requests/s, enough to see any gap in service during the roll. */
const loadIntervalMs = 50;
const requestTimeoutMs = 10_000;
/** Distinct from a failure (1), so a pipeline can tell "could not run here" from "the platform is broken". */
const notRunExitCode = 3;

interface Reply { status: number; body: string; version: string }

/** Why the test cannot run here, or undefined when it can. */
function missingPrerequisite(): string | undefined {
    if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).status !== 0) {
        return "no pulumi CLI on PATH (https://www.pulumi.com/docs/install/)";
    }
    const env = process.env;
    const home = os.homedir();
    const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE
        || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
        || fs.existsSync(path.join(home, ".aws", "credentials")) || fs.existsSync(path.join(home, ".aws", "config"));
    if (!hasCredentials) {
        return "no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws configure)";
    }
    return undefined;
}

async function get(url: string): Promise<Reply> {
    const reply = await request(url, { timeoutMs: requestTimeoutMs });
    return { status: reply.status, body: reply.text, version: headerValue(reply, "x-app-version") ?? "" };
}

/** A 200 with a version header: the platform's promise for any app (the text is the app's own business). */
async function expectServed(url: string): Promise<Reply> {
    const reply = await get(url);
    if (reply.status !== 200 || !reply.version) {
        throw new Error(`GET ${url}: expected 200 with an X-App-Version header, got ${reply.status} (version ${reply.version ?? "none"}) ${JSON.stringify(reply.body.slice(0, 200))}`);
    }
    console.log(`test:aws: GET ${url} -> 200 (version ${reply.version})`);
    return reply;
}

/** Sends GET / in a loop until stopped; counts every request and every one that was not a 200. */
function startLoad(url: string): { stop(): Promise<{ requests: number; failures: string[]; versions: Set<string> }> } {
    let running = true;
    const failures: string[] = [];
    const versions = new Set<string>();
    let requests = 0;
    const loop = (async () => {
        while (running) {
            requests++;
            try {
                const reply = await get(`${url}/`);
                if (reply.status === 200) versions.add(reply.version);
                else failures.push(`${new Date().toISOString()} ${reply.status}`);
            } catch (error) {
                failures.push(`${new Date().toISOString()} ${String(error)}`);
            }
            await new Promise((resolve) => setTimeout(resolve, loadIntervalMs));
        }
    })();
    return { stop: async () => { running = false; await loop; return { requests, failures, versions }; } };
}

/** The newest Debian 12 AMI, found by an inline program with the same filters the README's command uses. */
async function newestDebianAmi(envVars: Record<string, string>, region: string): Promise<string> {
    const lookup = await LocalWorkspace.createOrSelectStack({
        stackName: "ami-lookup",
        projectName: "ha-web-ami-lookup",
        program: async () => {
            const ami = await aws.ec2.getAmi({
                owners: [debianAmiOwner],
                mostRecent: true,
                filters: [{ name: "name", values: [debianAmiNamePattern(instanceType)] }, { name: "virtualization-type", values: ["hvm"] }],
            });
            return { id: ami.id };
        },
    }, { envVars });
    try {
        await lookup.setConfig("aws:region", { value: region });
        const result = await lookup.up();
        return String(result.outputs.id.value);
    } finally {
        await lookup.workspace.removeStack("ami-lookup", { force: true });
    }
}

/** A copy of the project whose app/ can be changed for the roll; dependencies are linked, not copied. */
function projectCopy(dir: string): string {
    const skipped = new Set(["node_modules", ".git", ".local-stack", "dist"]);
    fs.cpSync(repoRoot, dir, { recursive: true, filter: (source) => !skipped.has(path.basename(source)) });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

async function main(): Promise<number> {
    const missing = missingPrerequisite();
    if (missing) {
        const optional = process.env.HA_WEB_TEST_AWS_OPTIONAL === "true";
        console.log(`test:aws: not run, nothing was tested: ${missing}`
            + (optional ? " (HA_WEB_TEST_AWS_OPTIONAL=true: exit 0)" : `; exit ${notRunExitCode} (HA_WEB_TEST_AWS_OPTIONAL=true makes this exit 0)`));
        return optional ? 0 : notRunExitCode;
    }
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-west-2";
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-aws-test-"));
    const stateDir = path.join(work, "state");
    fs.mkdirSync(stateDir);
    // A throwaway passphrase, in a 0600 file beside the state: if destroy fails, both stay for a manual one.
    const passphraseFile = path.join(work, "passphrase");
    fs.writeFileSync(passphraseFile, randomBytes(24).toString("hex"), { mode: 0o600 });
    const envVars = { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile };
    const stackName = `test-${randomBytes(3).toString("hex")}`;
    let stack: Stack | undefined;
    try {
        const amiId = process.env.HA_WEB_TEST_AMI_ID ?? await newestDebianAmi(envVars, region);
        const sshCidr = process.env.HA_WEB_TEST_SSH_CIDR ?? `${(await get("https://checkip.amazonaws.com")).body.trim()}/32`;
        const workDir = projectCopy(path.join(work, "project"));
        stack = await LocalWorkspace.createStack({ stackName, workDir }, { envVars });
        await stack.setAllConfig({
            "aws:region": { value: region },
            "ha-web:amiId": { value: amiId },
            "ha-web:instanceType": { value: instanceType },
            "ha-web:sshAllowedCidrs": { value: JSON.stringify([sshCidr]) },
            // A throwaway stack: single-AZ database, nothing kept after destroy.
            "ha-web:dbMultiAz": { value: "false" },
            "ha-web:dbDeletionProtection": { value: "false" },
            "ha-web:efsDeletionProtection": { value: "false" },
            "ha-web:dbSkipFinalSnapshot": { value: "true" },
        });
        console.log(`test:aws: stack ${stackName} in ${region}, AMI ${amiId}, SSH from ${sshCidr}: pulumi up`);
        const first = await stack.up({ onOutput: (out) => process.stdout.write(out) });
        const url = String(first.outputs.url.value);
        await expectServed(`${url}/`);
        const before = await expectServed(`${url}/ping`);

        // A new release: any change under app/ gives the image a new content hash, hence a new version.
        fs.appendFileSync(path.join(workDir, "app", "src", "app.ts"), `// test:aws release ${new Date().toISOString()}\n`);
        console.log("test:aws: rolling a new app version under load: pulumi up");
        const load = startLoad(url);
        await stack.up({ onOutput: (out) => process.stdout.write(out) });
        const { requests, failures, versions } = await load.stop();
        const after = await expectServed(`${url}/ping`);
        console.log(`test:aws: roll ${before.version} -> ${after.version}: ${requests} requests, ${failures.length} failed`);
        for (const failure of failures.slice(0, 20)) console.log(`test:aws:   failed: ${failure}`);
        const problems = [
            ...(failures.length > 0 ? [`${failures.length} of ${requests} requests failed during the roll`] : []),
            ...(after.version === before.version ? [`the version did not change (${after.version})`] : []),
            ...(!versions.has(after.version) ? ["no request during the roll saw the new version"] : []),
        ];
        if (problems.length > 0) {
            console.log(`test:aws: FAILED: ${problems.join("; ")}`);
            return 1;
        }
        console.log("test:aws: passed");
        return 0;
    } finally {
        await destroy(stack, stackName, work, envVars);
    }
}

/** Destroys the stack and removes the temp folder; if destroy fails, keeps the state and says how to finish. */
async function destroy(stack: Stack | undefined, stackName: string, work: string, envVars: Record<string, string>): Promise<void> {
    try {
        if (stack) {
            console.log(`test:aws: pulumi destroy ${stackName}`);
            await stack.destroy({ onOutput: (out) => process.stdout.write(out) });
            await stack.workspace.removeStack(stackName);
        }
        fs.rmSync(work, { recursive: true, force: true });
    } catch (error) {
        console.error(`test:aws: destroy FAILED, resources may be left in AWS: ${String(error)}\n`
            + `  state and passphrase kept in ${work}; finish with:\n`
            + `  cd ${path.join(work, "project")} && PULUMI_BACKEND_URL=${envVars.PULUMI_BACKEND_URL} `
            + `PULUMI_CONFIG_PASSPHRASE_FILE=${envVars.PULUMI_CONFIG_PASSPHRASE_FILE} pulumi destroy -s ${stackName}`);
        process.exitCode = 1;
    }
}

main().then((code) => { process.exitCode = process.exitCode || code; }, (error: unknown) => {
    console.error(`test:aws: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
