import { hostLogRotation } from "../../components/plan/hostConfigFiles";
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { localHostPorts } from "../../components/plan/hostPorts";
import { FileSetStep, fileText, renderStdin } from "../../components/plan/step";
import { builtAppSource, HostInputs, planHost } from "../../components/plan/hostPlan";
import { readTemplate } from "../../components/plan/render";
import { sampleAppInputs } from "../support/appInputs";

const host = localHostPorts("host-a", 0);
const base: HostInputs<string> = {
    hosts: ["host-a"],
    firstHost: "host-a",
    app: sampleAppInputs,
    efsDns: "fs-1.efs.eu-west-1.amazonaws.com",
    db: { host: "db", port: "3306", name: "app", user: "app", password: "p", adminUser: "admin", adminPassword: "q", tlsCaUrl: "https://ca.example/b.pem" },
    appSource: builtAppSource("/repo/app", "0".repeat(64)),
    sharedDataDir: "/shared/data",
    logging: hostLogRotation,
    listen: "80",
    trustedProxyCidr: "10.0.0.0/16",
    npmCa: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    baseImage: "node:20-bookworm-slim",
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
