import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContainerLogging, renderComposeFile, hostLogRotation } from "../../components/plan/hostFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { run } from "../local/run";

describe("compose file (Debian's docker-compose 1.29)", () => {
    let dir: string;
    let composeFile: string;
    let awsComposeFile: string;
    const deployEnv = { APP_IMAGE: "ha-web-app:0123", APP_PORT: "3101", APP_CONFIG: "abc" };

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-compose-"));
        const envFile = path.join(dir, "app.env");
        fs.writeFileSync(envFile, "DB_HOST=127.0.0.1\n", { mode: 0o600 });
        const dbTlsEnvFile = path.join(dir, "db-tls.env");
        fs.writeFileSync(dbTlsEnvFile, "DB_TLS_CA_BASE64=Q0E=\n", { mode: 0o600 });
        composeFile = path.join(dir, "docker-compose.yml");
        const sharedDataDir = path.join(dir, "data");
        const render = (logging: ContainerLogging) => renderComposeFile({ listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir, logging }, { ...hostPaths, envFile, dbTlsEnvFile });
        fs.writeFileSync(composeFile, render(hostLogRotation));
        awsComposeFile = path.join(dir, "docker-compose.aws.yml");
        fs.writeFileSync(awsComposeFile, render({ driver: "awslogs", region: "us-west-2", group: "/ha-web/dev/app" }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is accepted by docker-compose config with the variables ha-web-deploy sets", async () => {
        const result = await run("docker-compose", ["--project-name", "host-a-blue", "--file", composeFile, "config"], {
            env: deployEnv,
        });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("image: ha-web-app:0123")
            .and.contain("PORT: '3101'")
            .and.contain("network_mode: host")
            .and.contain("init: true")
            .and.contain("stop_grace_period: 20s")
            .and.contain(`${dir}/data:/shared-data`)
            .and.contain("DB_HOST: 127.0.0.1")
            .and.contain("DB_TLS_CA_BASE64: Q0E=")
            .and.contain("driver: json-file")
            .and.contain("max-size: 10m");
    });

    it("is accepted with the awslogs driver as the AWS hosts get it (the Go template tag passes through)", async () => {
        const result = await run("docker-compose", ["--project-name", "host-a-blue", "--file", awsComposeFile, "config"], { env: deployEnv });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("driver: awslogs")
            .and.contain("awslogs-group: /ha-web/dev/app")
            .and.contain("awslogs-region: us-west-2")
            .and.contain("mode: non-blocking")
            .and.contain("tag: '{{.Name}}'");
    });
});
