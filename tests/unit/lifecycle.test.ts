import { expect } from "chai";
import * as yaml from "js-yaml";
import { deregistrationDelaySeconds, detectionWindowSeconds } from "../../components/plan/healthCheck";
import { awaitInServiceCommandLine, retireCommandLine } from "../../components/plan/membershipScripts";
import { dependencies, isSecretInput, lifecycleOf, mockDebianArmAmi, RecordedResource, valueOf } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

const hosts = ["host-a", "host-b"];
const plain = (value: unknown) => (isSecretInput(value) ? (value as { value: unknown }).value : value);
const connectionOf = (c: RecordedResource) => plain(c.inputs.connection) as Record<string, unknown>;
const named = (run: ProgramRun, name: string) => {
    const found = run.resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource ${name}`);
    return found;
};
/** A step script as the host's step-scripts file set places it. */
const placedScript = (run: ProgramRun, host: string, step: string) =>
    (named(run, `setup-${host}-step-scripts`).inputs.files as Array<{ path: string; content: string }>)
        .find((f) => f.path === `/usr/local/lib/ha-web/steps/${step}.sh`)!.content;
const remoteCommands = (run: ProgramRun) => run.ofType("command:remote:Command");
const failureOf = async (config: Record<string, string | undefined>) => {
    try {
        await runProgram(config);
    } catch (error) {
        return String(error);
    }
    return "no error";
};

describe("the AWS lifecycle after the first pulumi up (index.ts under mocks)", function () {
    this.timeout(60000);
    let run: ProgramRun;
    before(async () => { run = await runProgram(); });

    describe("stable host addresses", () => {
        it("gives every host an Elastic IP of its own instance, and exports it in hostIps", async () => {
            const eips = run.ofType("aws:ec2/eip:Eip");
            expect(eips.map((e) => [e.name, e.inputs.instance, e.inputs.domain])).to.deep.equal([
                ["web-host-a-ip", "web-host-a-id", "vpc"],
                ["web-host-b-ip", "web-host-b-id", "vpc"],
            ]);
            expect(await valueOf(run.outputs.hostIps)).to.deep.equal({ "host-a": "203.0.113.10", "host-b": "203.0.113.11" });
        });

        it("reaches every host at its Elastic IP, never at the address AWS assigns at launch", () => {
            for (const c of remoteCommands(run)) {
                const host = /host-[a-z]/.exec(c.name)![0];
                const eip = { "host-a": "203.0.113.10", "host-b": "203.0.113.11" }[host];
                expect(connectionOf(c).host, c.name).to.equal(eip);
            }
        });

        it("bounds every step that may wait on a host", () => {
            for (const c of remoteCommands(run)) {
                const timeouts = lifecycleOf(c)?.customTimeouts;
                expect(timeouts, c.name).to.not.equal(undefined);
                for (const operation of ["create", "update", "delete"] as const) {
                    expect(timeouts![operation], `${c.name} ${operation}`).to.match(/^\d+[smh]$/);
                }
            }
        });
    });

    describe("replacements, one host at a time", () => {
        it("replaces a host (new one first) on a new AMI, instance type, key pair, subnet or user data; ignores nothing", () => {
            for (const instance of run.ofType("aws:ec2/instance:Instance")) {
                const options = lifecycleOf(instance)!;
                expect(options.replaceOnChanges).to.include.members(["ami", "instanceType", "keyName", "userData"]);
                expect(options.deleteBeforeReplace).to.equal(false);
                expect(options.ignoreChanges).to.deep.equal([]);
                expect(instance.inputs.userDataReplaceOnChange).to.equal(true);
            }
        });

        it("gives a replacement host a new Elastic IP, so the old host keeps its own until it is drained", () => {
            for (const eip of run.ofType("aws:ec2/eip:Eip")) {
                expect(lifecycleOf(eip)).to.deep.include({ replaceOnChanges: ["instance"], deleteBeforeReplace: false });
            }
        });

        it("drains each host before it is deleted: a command per host whose delete runs ha-web-drain and waits out the deregistration delay", () => {
            const retire = remoteCommands(run).filter((c) => c.name.startsWith("in-service-"));
            expect(retire.map((c) => c.name)).to.deep.equal(["in-service-host-a", "in-service-host-b"]);
            for (const c of retire) {
                expect(c.inputs.delete).to.equal(retireCommandLine());
                const script = placedScript(run, c.name.replace(/^in-service-/, ""), "retire-host");
                expect(script).to.contain("/usr/local/sbin/ha-web-drain");
                expect(script).to.contain(`DEREGISTRATION_DELAY_SECONDS="${deregistrationDelaySeconds}"`);
                const deleteTimeout = Number(/^(\d+)s$/.exec(lifecycleOf(c)!.customTimeouts!.delete)![1]);
                expect(deleteTimeout).to.be.above(detectionWindowSeconds() + deregistrationDelaySeconds);
                expect(lifecycleOf(c)?.deleteBeforeReplace).to.equal(false);
            }
        });

        it("counts a new host in service only once the load balancer's own checks pass on it, and the gate waits for that", () => {
            for (const host of hosts) {
                const member = named(run, `in-service-${host}`);
                expect(member.inputs.create).to.equal(awaitInServiceCommandLine());
                expect(placedScript(run, host, "await-in-service")).to.contain('USER_AGENT_PREFIX="ELB-HealthChecker"');
                expect(dependencies.get(`in-service-${host}`)).to.include(`setup-${host}-rollout`);
                expect(dependencies.get("health-gate")).to.include(`in-service-${host}`);
            }
        });

        it("replaces a host's drain command with its instance, so the delete reaches the OLD host", () => {
            for (const host of hosts) {
                expect(named(run, `in-service-${host}`).inputs.triggers).to.deep.equal([`web-${host}-id`]);
            }
        });

        it("drains before the host's address, target registration and set-up go, and one host after the other", () => {
            for (const host of hosts) {
                expect(dependencies.get(`in-service-${host}`)).to.include.members([
                    `web-${host}-ip`, `web-${host}`, `setup-${host}-rollout`, `setup-${host}-host-config`, `setup-${host}-step-scripts`,
                ]);
                // Removed after it on destroy too: SSH must still get through while hosts drain.
                expect(dependencies.get(`in-service-${host}`)).to.include.members(["net-igw", "net-public", "fw-hosts-in-22-203-0-113-7-32"]);
            }
            expect(dependencies.get("in-service-host-b")).to.include("in-service-host-a");
            expect(dependencies.get("in-service-host-a")).not.to.include("in-service-host-b");
        });

        it("drains a host that a lower hostCount removes, as its own last step", async () => {
            const three = await runProgram({ hostCount: "3" });
            const retireC = named(three, "in-service-host-c");
            expect(retireC.inputs.delete).to.equal(retireCommandLine());
            expect(placedScript(three, "host-c", "retire-host")).to.contain("ha-web-drain");
            expect(dependencies.get("in-service-host-c")).to.include.members(["web-host-c", "web-host-c-ip", "in-service-host-b"]);
            const two = await runProgram({ hostCount: "2" });
            expect(remoteCommands(two).map((c) => c.name)).not.to.include("in-service-host-c");
        });

        it("runs the health gate again when a host is replaced or reconfigured, after every host step", async () => {
            const gate = named(run, "health-gate");
            expect(gate.inputs.instanceIds).to.deep.equal(["web-host-a-id", "web-host-b-id"]);
            expect(dependencies.get("health-gate")).to.include.members(["setup-host-a-host-config", "setup-host-a-apply-config", "setup-host-b-rollout", "setup-host-a-create-app-db"]);
            const digest = async (config: Record<string, string>) => plain(named(await runProgram(config), "health-gate").inputs.configDigest);
            const before = await digest({});
            expect(await digest({})).to.equal(before);
            expect(await digest({ dbName: "shop" })).not.to.equal(before);
        });

        it("rolls a new AMI by a config change alone: only the instances' ami changes, and each is replaced by it", async () => {
            const roll = await runProgram({ amiId: "ami-0123456789abcdef0" });
            const changed = roll.resources.filter((r) => {
                const old = run.resources.find((o) => o.name === r.name && o.type === r.type);
                return JSON.stringify(old?.inputs) !== JSON.stringify(r.inputs);
            }).map((r) => r.name);
            expect(changed).to.deep.equal(["web-host-a", "web-host-b"]);
            for (const instance of roll.ofType("aws:ec2/instance:Instance")) {
                expect(lifecycleOf(instance)?.replaceOnChanges).to.include("ami");
            }
        });
    });

    describe("pinned SSH host keys", () => {
        it("generates an ED25519 host key per host and installs it by cloud-init, in secret user data", async () => {
            const keys = run.ofType("tls:index/privateKey:PrivateKey").filter((k) => k.name.endsWith("-host-key"));
            expect(keys.map((k) => [k.name, k.inputs.algorithm])).to.deep.equal([
                ["web-host-a-host-key", "ED25519"], ["web-host-b-host-key", "ED25519"],
            ]);
            for (const host of hosts) {
                const instance = named(run, `web-${host}`);
                expect(isSecretInput(instance.inputs.userData), host).to.equal(true);
                const userData = plain(instance.inputs.userData) as string;
                expect(userData.startsWith("#cloud-config\n")).to.equal(true);
                const config = yaml.load(userData) as { ssh_keys: Record<string, string>; ssh_deletekeys: boolean; ssh_genkeytypes: string[] };
                expect(config.ssh_keys.ed25519_private).to.contain(`mock-web-${host}-host-key`);
                expect(config.ssh_keys.ed25519_public).to.equal(`ssh-ed25519 AAAAmockweb-${host}-host-key`);
                expect(config).to.deep.include({ ssh_deletekeys: true, ssh_genkeytypes: [] });
            }
        });

        it("exports each host's public key for an operator's known_hosts", async () => {
            expect(await valueOf(run.outputs.hostKeys)).to.deep.equal({
                "host-a": "ssh-ed25519 AAAAmockweb-host-a-host-key", "host-b": "ssh-ed25519 AAAAmockweb-host-b-host-key",
            });
        });

        it("pins each host's own key on every command that reaches it", () => {
            for (const c of remoteCommands(run)) {
                const host = /host-[a-z]/.exec(c.name)![0];
                expect(connectionOf(c).hostKey, c.name).to.equal(`ssh-ed25519 AAAAmockweb-${host}-host-key`);
            }
        });
    });

    describe("configuration the lifecycle depends on", () => {
        it("requires a pinned AMI and says how to pin one", async () => {
            expect(await failureOf({ amiId: undefined })).to.match(/amiId is required: .*pulumi config set amiId .*aws ec2 describe-images --region us-west-2 .*debian-12-amd64/);
        });

        it("refuses an AMI of the wrong architecture for the instance type", async () => {
            expect(await failureOf({ amiId: mockDebianArmAmi })).to.match(/amiId ami-0de12b0000000002 is an arm64 image but instanceType t3.small needs x86_64/);
            expect(await failureOf({ amiId: mockDebianArmAmi, instanceType: "t4g.small" })).to.equal("no error");
        });

        it("requires sshAllowedCidrs, and opens SSH to the world only when 0.0.0.0/0 is set explicitly", async () => {
            expect(await failureOf({ sshAllowedCidrs: undefined })).to.match(/sshAllowedCidrs is required: .*pulumi config set --path 'sshAllowedCidrs\[0\]'/);
            const world = await runProgram({ sshAllowedCidrs: JSON.stringify(["0.0.0.0/0"]) });
            const ssh = world.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 22);
            expect(ssh.map((r) => r.inputs.cidrIpv4)).to.deep.equal(["0.0.0.0/0"]);
        });

        it("applies database changes in the maintenance window unless configured to apply them during pulumi up", async () => {
            expect(run.ofType("aws:rds/instance:Instance")[0].inputs.applyImmediately).to.equal(false);
            const now = await runProgram({ dbApplyImmediately: "true" });
            expect(now.ofType("aws:rds/instance:Instance")[0].inputs.applyImmediately).to.equal(true);
        });

        it("refuses a MySQL system schema as the app's database", async () => {
            for (const name of ["mysql", "sys", "information_schema", "Performance_Schema"]) {
                expect(await failureOf({ dbName: name }), name).to.match(new RegExp(`dbName must not be a MySQL system schema .*got "${name}"`));
            }
        });
    });
});
