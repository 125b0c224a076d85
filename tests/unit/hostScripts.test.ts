import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { localHostPorts } from "../../components/plan/hostPorts";
import { FileSetStep, fileText, renderStdin } from "../../components/plan/step";
import { builtAppSource, HostInputs, planHost } from "../../components/plan/hostPlan";
import { readTemplate, renderFile } from "../../components/plan/render";
import { hostPaths } from "../../components/plan/hostPaths";
import { stepRunnerScript } from "../../components/plan/stepScripts";
import { sampleAppInputs } from "../support/appInputs";
import { testMetrics } from "../support/metricsDestination";
import { testAppNetwork } from "../support/appNetwork";

const host = localHostPorts("host-a", 0);
const base: HostInputs<string> = {
    hosts: ["host-a"],
    firstHost: "host-a",
    previousHosts: [],
    app: sampleAppInputs,
    efsDns: "fs-1.efs.eu-west-1.amazonaws.com",
    efsAccessPoint: "fsap-01",
    db: { host: "db", port: "3306", name: "app", user: "app", password: "p", adminUser: "admin", adminPassword: "q", tlsCaUrl: "https://ca.example/b.pem" },
    appSource: builtAppSource("/repo/app", "0".repeat(64)),
    sharedDataDir: "/shared/data",
    logging: hostLogRotation,
    listen: "80",
    trustedProxyCidr: "10.0.0.0/16",
    metrics: testMetrics, appNetwork: testAppNetwork,
    npmCa: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    baseImage: "node:22-bookworm-slim",
};

function shellcheck(script: string): string {
    const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
    if (result.error) throw result.error;
    return result.stdout;
}

/** Runs a script with bash, stdin as given; returns exit code and output. */
function bash(script: string, stdin: string) {
    const result = spawnSync("bash", ["-c", script, "test-step"], { input: stdin, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("rendered host scripts", () => {
    /** Every executable a host gets: the step scripts, the step runner and the operator commands. */
    const executables = (inputs: HostInputs<string>) =>
        planHost(host, inputs)
            .filter((s): s is FileSetStep<string> => s.kind === "files")
            .flatMap((s) => s.files.filter((f) => f.mode === "0755"));

    for (const [label, inputs] of [
        ["app built on the host", base],
        ["prebuilt image", { ...base, appSource: { kind: "image" as const, image: "r.example/app:1" } }],
    ] as const) {
        for (const file of executables(inputs)) {
            it(`${file.path} (${label}) is shellcheck clean`, () => {
                expect(shellcheck(fileText(file))).to.equal("");
            });
        }
    }
});

describe("read_inputs (stdin of every step)", () => {
    const harness = `set -euo pipefail\n${readTemplate("lib/read-inputs.sh")}\nread_inputs A B\nprintf '%s|%s' "$A" "$B"\n`;

    it("takes values literally: quotes, dollars, command substitutions and '=' are never evaluated", () => {
        const tricky = `'"; $(touch /tmp/pwned) \`id\` $HOME a=b \\`;
        const result = bash(harness, renderStdin({ A: tricky, B: "" }));
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.equal(`${tricky}|`);
    });

    it("accepts the inputs in any order and a last line without a newline", () => {
        expect(bash(harness, "B=2\nA=1").stdout).to.equal("1|2");
    });

    it("rejects a missing input, naming it", () => {
        const result = bash(harness, "A=1\n");
        expect(result.status).to.equal(2);
        expect(result.stderr).to.contain("missing B=...");
    });

    it("rejects an unexpected line without echoing it (it could be a password)", () => {
        const result = bash(harness, "A=1\nB=2\nhunter2\n");
        expect(result.status).to.equal(2);
        expect(result.stderr).to.contain("stdin line 3").and.not.contain("hunter2");
    });

    it("rejects a name it was not asked for, so no other variable can be overwritten", () => {
        const result = bash(harness, "A=1\nB=2\nPATH=/tmp\n");
        expect(result.status).to.equal(2);
    });
});

describe("order_docker_after_mount (mount-shared, so an app never starts on an empty /shared after a reboot)", () => {
    // systemctl is a shell function here: it records the call instead of reloading this machine's systemd.
    const harness = (dropIn: string, calls: string) => `set -euo pipefail\nsystemctl() { echo "$*" >>'${calls}'; }\n`
        + `${readTemplate("lib/docker-after-mount.sh")}\norder_docker_after_mount /shared '${dropIn}'\n`;

    it("writes a drop-in that makes docker.service require the mount, once, and reloads systemd only then", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-dropin-"));
        try {
            const dropIn = path.join(dir, "docker.service.d", "ha-web-after-shared.conf");
            const calls = path.join(dir, "calls");
            const first = bash(harness(dropIn, calls), "");
            expect(first.status, first.stderr).to.equal(0);
            expect(first.stdout).to.match(/docker now starts only after \/shared is mounted/);
            const unit = fs.readFileSync(dropIn, "utf8");
            expect(unit.split("\n")[0]).to.equal("[Unit]");
            expect(unit).to.match(/^RequiresMountsFor=\/shared$/m);
            const second = bash(harness(dropIn, calls), "");
            expect(second.stdout).to.match(/already starts only after \/shared/);
            expect(fs.readFileSync(calls, "utf8")).to.equal("daemon-reload\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is part of the rendered mount-shared step, on every host (no branch without systemd)", () => {
        const scripts = planHost(host, base).find((s): s is FileSetStep<string> => s.kind === "files" && s.name === "step-scripts")!;
        const mount = fileText(scripts.files.find((f) => f.path.endsWith("/mount-shared.sh"))!);
        expect(mount).to.contain('order_docker_after_mount "$MOUNT_POINT" "$DOCKER_DROP_IN"');
        expect(mount).to.contain("/etc/systemd/system/docker.service.d/ha-web-after-shared.conf");
        expect(mount).not.to.contain("/run/systemd/system");
    });
});

describe("dual_password_method (create-app-db and discard-old-db-password): chosen by what the server reports, MySQL's rows included", () => {
    // admin_sql is a shell function here: it answers SELECT VERSION() as each server would.
    const method = (version: string) => bash(`set -euo pipefail\nSTEP=test\nDB_USER=app\n${readTemplate("lib/app-db-access.sh")}\n`
        + `admin_sql() { echo '${version}'; }\ndual_password_method\n`, "");

    for (const [version, expected] of [
        ["8.4.3", "retain"], ["8.0.14", "retain"], ["8.0.36-rds.20240101", "retain"], ["9.1.0", "retain"],
        ["10.11.19-MariaDB-0+deb12u1", "alternative"], ["10.4.0-MariaDB", "alternative"], ["11.4.2-MariaDB-log", "alternative"],
    ]) {
        it(`${version}: ${expected}`, () => {
            const result = method(version);
            expect(result.status, result.stderr).to.equal(0);
            expect(result.stdout).to.equal(`${expected}\n`);
        });
    }

    for (const version of ["8.0.13", "5.7.44-log", "10.3.39-MariaDB", "not a version"]) {
        it(`${version}: refuses to change the password, saying why`, () => {
            const result = method(version);
            expect(result.status).to.equal(1);
            expect(result.stderr).to.match(/^test: the database .* (cannot hold two passwords for app \(MySQL 8\.0\.14\+ or MariaDB 10\.4\+ can\)|which is not MAJOR\.MINOR\.PATCH)/);
        });
    }
});

describe("mount_shared (mount-shared): /shared and the app's data mount end up the configured file system and access point, over TLS with IAM, whatever was there", () => {
    const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-mount-shared-")), "shared-mount");
    const mountScript = () => {
        const scripts = planHost(host, { ...base, paths: { ...hostPaths, sharedMountRecord: record } })
            .find((s): s is FileSetStep<string> => s.kind === "files" && s.name === "step-scripts")!;
        return fileText(scripts.files.find((f) => f.path.endsWith("/mount-shared.sh"))!);
    };
    /**
     * The rendered script without its `main` call, the system's mount commands (and the fstab writer,
     * efs-utils' installer, mkdir) as shell functions that answer as `mounted` (the file system type at
     * /shared) and `dataMounted` describe and record what they were asked to do.
     */
    const harness = (mounted: string | undefined, dataMounted: boolean) => `${mountScript().replace(/\nmain "\$@"\n$/, "\n")}
EFS_DNS=${base.efsDns}
EFS_ACCESS_POINT=${base.efsAccessPoint}
mountpoint() { if [[ "$2" == ${hostPaths.appDataMount} ]]; then ${dataMounted}; else [[ -n '${mounted ?? ""}' ]]; fi; }
findmnt() { echo '${mounted ?? ""}'; }
getent() { return 0; }
mkdir() { :; }
write_fstab_entries() { echo "CALLED fstab"; }
install_efs_utils() { echo "CALLED install efs-utils"; }
mount() { echo "CALLED mount $*"; }
umount() { echo "CALLED umount $*"; }
mount_shared
`;
    const calls = (mounted: string | undefined, dataMounted = false) => {
        const result = bash(harness(mounted, dataMounted), "");
        expect(result.status, result.stderr).to.equal(0);
        return result.stdout.split("\n").filter((l) => l.startsWith("CALLED ")).map((l) => l.slice(7));
    };
    const data = hostPaths.appDataMount;
    const mountBoth = ["fstab", "install efs-utils", "mount /shared", `mount ${data}`];
    beforeEach(() => fs.rmSync(record, { force: true }));

    it("mounts both where nothing is mounted (the data on the host's disk, not in a folder root makes on EFS), and writes what it mounted: efs-utils, tls and iam, the data through the access point", () => {
        expect(calls(undefined)).to.deep.equal(mountBoth);
        expect(fs.readFileSync(record, "utf8")).to.equal(`fs-1:/ /shared efs _netdev,nofail,tls,iam 0 0\nfs-1:/ ${data} efs _netdev,nofail,tls,iam,accesspoint=${base.efsAccessPoint} 0 0\n`);
    });

    it("leaves both as they are when they are mounted as it recorded", () => {
        calls(undefined);
        expect(calls("nfs4", true)).to.deep.equal([]);
    });

    it("mounts both anew over a plain NFS mount (no TLS, no IAM: the file-system policy refuses it) or another file system", () => {
        expect(calls("nfs4", false)).to.deep.equal(["fstab", "install efs-utils", "umount /shared", "mount /shared", `mount ${data}`]);
        fs.writeFileSync(record, "fs-0old:/ /shared efs _netdev,nofail,tls,iam 0 0\n");
        expect(calls("nfs4", true)).to.deep.equal(["fstab", "install efs-utils", `umount ${data}`, "umount /shared", "mount /shared", `mount ${data}`]);
    });

    it("leaves a mount it did not make (the local stack's bind mount) as it is", () => {
        expect(calls("ext4")).to.deep.equal([]);
    });

    it("refuses a file system name or access point id of another shape, naming both", () => {
        const script = mountScript();
        const result = spawnSync("bash", ["-c", script], { input: "EFS_DNS=efs.example.com\nEFS_ACCESS_POINT=data\n", encoding: "utf8" });
        expect(result.status).to.equal(2);
        expect(result.stderr).to.contain('EFS_DNS must be the file system\'s DNS name').and.contain('(got "efs.example.com")')
            .and.contain('EFS_ACCESS_POINT must be an access point id, fsap-<hex> (got "data")');
    });
});

describe("ha-web-step bounds every step on the host (the deployer's timeout stops only its dialling)", () => {
    // `--in-unit` is what the step's systemd unit runs; starting and following the unit needs systemd
    // (the local stack's hosts): drills 20 and 21 cut and join steps there.
    it("stops a step that outlives its bound, with everything it started, and says so", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-step-"));
        try {
            const stepsDir = path.join(dir, "steps");
            fs.mkdirSync(stepsDir);
            const childPid = path.join(dir, "child.pid");
            fs.writeFileSync(path.join(stepsDir, "hangs.sh"), `#!/usr/bin/env bash\nsleep 60 &\necho $! >'${childPid}'\necho started\nwait\n`, { mode: 0o755 });
            fs.writeFileSync(path.join(stepsDir, "quick.sh"), "#!/usr/bin/env bash\necho quick done\n", { mode: 0o755 });
            const runner = stepRunnerScript({ ...hostPaths, stepsDir, stepLogDir: path.join(dir, "logs") }, 1);
            const started = Date.now();
            const hung = spawnSync("bash", ["-c", runner, "ha-web-step", "hangs", "--in-unit"], { encoding: "utf8" });
            expect(Date.now() - started).to.be.lessThan(10_000);
            expect(hung.status).to.equal(124);
            expect(hung.stdout).to.contain("started");
            expect(hung.stderr).to.match(/^ha-web-step: hangs did not finish within 1s on .* and was stopped; what it did so far is in .*\/logs\/hangs\.log$/m);
            // The signal reaches the child at once; its exit (and reaping) may take a moment more.
            const child = Number(fs.readFileSync(childPid, "utf8"));
            const alive = () => { try { process.kill(child, 0); return !/^Z/m.test(fs.readFileSync(`/proc/${child}/stat`, "utf8").split(") ")[1] ?? ""); } catch { return false; } };
            for (let i = 0; i < 20 && alive(); i++) spawnSync("sleep", ["0.1"]);
            expect(alive(), "the step's child is still running").to.equal(false);
            const quick = spawnSync("bash", ["-c", runner, "ha-web-step", "quick", "--in-unit"], { encoding: "utf8" });
            expect(quick.status, quick.stderr).to.equal(0);
            expect(quick.stdout).to.equal("quick done\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("apply-config returns after a reload only once the load balancer's checks pass on the host again", () => {
    const applyConfig = () => {
        const scripts = planHost(host, base).find((s): s is FileSetStep<string> => s.kind === "files" && s.name === "step-scripts")!;
        return fileText(scripts.files.find((f) => f.path.endsWith("/apply-config.sh"))!);
    };
    /** The rendered script without its `main` call, reading `log` as nginx's access log, with a 3 s bound. */
    const harness = (log: string) => applyConfig()
        .replace(/\nmain "\$@"\n$/, "\n")
        .replace(/^readonly NGINX_ACCESS_LOG=.*$/m, `readonly NGINX_ACCESS_LOG='${log}'`)
        .replace(/^readonly REJOIN_TIMEOUT_SECONDS=.*$/m, "readonly REJOIN_TIMEOUT_SECONDS=3")
        + "await_back_in_service\necho BACK\n";
    const check = (status: number) => `${JSON.stringify({ user_agent: "ELB-HealthChecker/2.0", status: String(status) })}\n`;
    const visit = `${JSON.stringify({ user_agent: "curl/8", status: "200" })}\n`;

    it("waits while the latest checks still failed (the drain), and returns once enough of them got 200", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-rejoin-"));
        try {
            const log = path.join(dir, "access.log");
            fs.writeFileSync(log, check(200).repeat(5) + check(503).repeat(3) + visit.repeat(5));
            const started = Date.now();
            const waiting = new Promise<{ status: number | null; stdout: string; ms: number }>((resolve) => {
                const child = spawn("bash", ["-c", harness(log), "apply-config"]);
                let stdout = "";
                child.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
                child.on("exit", (status) => resolve({ status, stdout, ms: Date.now() - started }));
            });
            await new Promise((r) => setTimeout(r, 1200));
            fs.appendFileSync(log, check(200).repeat(5));
            const result = await waiting;
            expect(result.status).to.equal(0);
            expect(result.stdout).to.equal("BACK\n");
            expect(result.ms).to.be.greaterThan(1100);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails, leaving the next host alone, when the checks never pass again", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-rejoin-"));
        try {
            const log = path.join(dir, "access.log");
            fs.writeFileSync(log, check(200).repeat(5) + check(503).repeat(3));
            const result = bash(harness(log), "");
            expect(result.status).to.equal(1);
            expect(result.stderr).to.match(/^apply-config: the load balancer's health checks did not find .* healthy again within 3s after the reload \(latest statuses: 503 503\); the next host is not touched/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("apply-config names the machine in X-Served-By-Instance (what the health gate counts)", () => {
    const identity = (cloudFile: string) => {
        const scripts = planHost(host, base).find((s): s is FileSetStep<string> => s.kind === "files" && s.name === "step-scripts")!;
        const script = fileText(scripts.files.find((f) => f.path.endsWith("/apply-config.sh"))!)
            .replace(/\nmain "\$@"\n$/, "\n")
            .replace(/^readonly CLOUD_INSTANCE_ID_FILE=.*$/m, `readonly CLOUD_INSTANCE_ID_FILE='${cloudFile}'`);
        return bash(`${script}machine_identity\n`, "").stdout;
    };

    it("uses cloud-init's instance id where there is one, and refuses one that could break nginx's config", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-identity-"));
        try {
            const file = path.join(dir, "instance-id");
            fs.writeFileSync(file, "i-0123456789abcdef0\n");
            expect(identity(file)).to.equal("i-0123456789abcdef0\n");
            fs.writeFileSync(file, "i-0; } location / { return 200");
            expect(identity(file)).to.equal("unknown\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("ha-web-deploy prunes old releases' images and build cache after a deploy, keeping the last few to roll back to", () => {
    /**
     * The prune functions as the rendered deploy script has them, over a `docker` shell function that
     * answers from a table of images (id, reference, repository) and containers, and records removals.
     */
    const harness = (dir: string, images: Array<[id: string, reference: string]>, containerImages: string[]) => {
        const deploy = fileText(planHost(host, base).find((s): s is FileSetStep<string> => s.name === "host-config")!
            .files.find((f) => f.path === hostPaths.deployCommand)!);
        const functions = deploy.slice(deploy.indexOf("# Keeps the root disk"), deploy.indexOf("port_of() {"));
        const repositoryOf = (reference: string) => reference.replace(/@.*$/, "").replace(/:[^/]*$/, "");
        return `set -euo pipefail
RELEASES_FILE='${dir}/deployed-images'; KEEP_RELEASES=3; BUILD_CACHE_HOURS=24
log() { echo "LOG $*"; }
docker() {
  case "$1 $2" in
    "image inspect") case "$5" in ${images.map(([id, ref]) => `'${ref}') echo '${id}' ;;`).join(" ")} *) return 1 ;; esac ;;
    "ps --all") ${containerImages.map((_, i) => `echo c${i};`).join(" ")} : ;;
    "inspect --format") case "$4" in ${containerImages.map((id, i) => `c${i}) echo '${id}' ;;`).join(" ")} esac ;;
    "image ls") ${images.map(([id, ref]) => `echo '${id} ${repositoryOf(ref)}';`).join(" ")} : ;;
    "image rm") echo "REMOVED $4" >&2 ;;
    "builder prune") echo "BUILDER $*" >&2 ;;
  esac
}
${functions}
`;
    };

    it("keeps the last 3 deployed and any image a container uses; removes the app's older images only; prunes day-old build cache", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-prune-"));
        try {
            const images: Array<[string, string]> = [1, 2, 3, 4, 5].map((n) => [`sha256:${n}`, `ha-web-app:v${n}`]);
            images.push(["sha256:9", "debian:bookworm"], ["sha256:6", "registry.example.com:5000/shop:1@sha256:" + "6".repeat(64)]);
            const script = harness(dir, images, ["sha256:1"])
                + ["v1", "v2", "v3", "v4", "v5", "v4"].map((v) => `record_release ha-web-app:${v}\n`).join("")
                + "cat \"$RELEASES_FILE\"\nprune_images\n";
            const result = bash(script, "");
            expect(result.status, result.stderr).to.equal(0);
            const lines = result.stdout.split("\n");
            const calls = result.stderr.split("\n");
            expect(lines.slice(0, 3)).to.deep.equal(["ha-web-app:v3", "ha-web-app:v5", "ha-web-app:v4"]);
            // v1 runs in a container (a stopped colour): kept; v2 is older than the last three: removed.
            expect(calls.filter((l) => l.startsWith("REMOVED"))).to.deep.equal(["REMOVED sha256:2"]);
            expect(lines).to.include("LOG removed ha-web-app image 2 (older than the last 3 releases)");
            expect(calls).to.include("BUILDER builder prune --force --filter until=24h");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("--prune refuses, naming the record, on a host where nothing was deployed yet (it could not tell old images from kept ones)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-prune-"));
        try {
            const paths = { ...hostPaths, releasesFile: path.join(dir, "deployed-images") };
            const deploy = fileText(planHost(host, { ...base, paths }).find((s): s is FileSetStep<string> => s.name === "host-config")!
                .files.find((f) => f.path === paths.deployCommand)!);
            const result = spawnSync("bash", ["-c", deploy, "ha-web-deploy", "--prune"], { encoding: "utf8" });
            expect(result.status).to.equal(1);
            expect(result.stderr).to.contain(`no release recorded in ${paths.releasesFile} yet`).and.contain("nothing pruned");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reads an image reference's repository as docker lists it: registry port, tag and digest taken off", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-prune-"));
        try {
            const result = bash(`${harness(dir, [], [])}repository_of 'registry.example.com:5000/team/shop:1.2@sha256:${"a".repeat(64)}'\nrepository_of ha-web-app:abc\nrepository_of registry.example.com:5000/shop\n`, "");
            expect(result.stdout).to.equal("registry.example.com:5000/team/shop\nha-web-app\nregistry.example.com:5000/shop\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("ha-web-drain tells a step's own drain from an operator's, so a re-run step undoes only its own", () => {
    const withFlag = (check: (run: (script: "drain.sh" | "undrain.sh", ...args: string[]) => string, flag: string) => void) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-drain-"));
        try {
            const flag = path.join(dir, "drained");
            const scripts = {
                "drain.sh": renderFile("drain.sh", { drainFlag: flag, detectionSeconds: "0" }),
                "undrain.sh": renderFile("undrain.sh", { drainFlag: flag }),
            };
            const run = (script: "drain.sh" | "undrain.sh", ...args: string[]) => {
                const result = spawnSync("bash", ["-c", scripts[script], script, ...args], { encoding: "utf8" });
                expect(result.status, result.stderr).to.equal(0);
                return result.stdout;
            };
            check(run, flag);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("lifts apply-config's own drain when apply-config undrains, an interrupted run's included", () => {
        withFlag((run, flag) => {
            run("drain.sh", "--for", "apply-config");
            expect(fs.readFileSync(flag, "utf8")).to.match(/^apply-config /);
            run("drain.sh", "--for", "apply-config");
            expect(run("undrain.sh", "--for", "apply-config")).to.contain("health check passes again");
            expect(fs.existsSync(flag)).to.equal(false);
        });
    });

    it("refuses other arguments with its usage", () => {
        withFlag((_run, flag) => {
            const refused = spawnSync("bash", ["-c", renderFile("drain.sh", { drainFlag: flag, detectionSeconds: "0" }), "ha-web-drain", "--for", "Bad Step"], { encoding: "utf8" });
            expect(refused.status).to.equal(2);
            expect(refused.stderr).to.equal("usage: ha-web-drain [--for STEP]   (operators: no arguments)\n");
            expect(fs.existsSync(flag)).to.equal(false);
        });
    });

    it("leaves an operator's drain (an empty flag too) to the operator, also when a step's drain was there first", () => {
        withFlag((run, flag) => {
            fs.writeFileSync(flag, "");
            expect(run("drain.sh", "--for", "apply-config")).to.contain("already drained by an operator");
            expect(run("undrain.sh", "--for", "apply-config")).to.contain("drained by operator, not by apply-config: left drained");
            expect(fs.existsSync(flag)).to.equal(true);
            fs.rmSync(flag);
            run("drain.sh", "--for", "apply-config");
            run("drain.sh");
            expect(run("undrain.sh", "--for", "apply-config")).to.contain("left drained");
            run("undrain.sh");
            expect(fs.existsSync(flag)).to.equal(false);
        });
    });
});
