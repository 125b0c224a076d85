import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderComposeFile } from "../../components/plan/hostFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { run } from "../local/run";

describe("compose file (Debian's docker-compose 1.29)", () => {
    let dir: string;
    let composeFile: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-compose-"));
        const envFile = path.join(dir, "app.env");
        fs.writeFileSync(envFile, "DB_HOST=127.0.0.1\n", { mode: 0o600 });
        const dbTlsEnvFile = path.join(dir, "db-tls.env");
        fs.writeFileSync(dbTlsEnvFile, "DB_TLS_CA_BASE64=Q0E=\n", { mode: 0o600 });
        composeFile = path.join(dir, "docker-compose.yml");
        const sharedDataDir = path.join(dir, "data");
        fs.writeFileSync(composeFile, renderComposeFile({ listen: "80", trustedProxyCidr: "10.0.0.0/16", sharedDataDir }, { ...hostPaths, envFile, dbTlsEnvFile }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is accepted by docker-compose config with the variables ha-web-deploy sets", async () => {
        const result = await run("docker-compose", ["--project-name", "host-a-blue", "--file", composeFile, "config"], {
            env: { APP_IMAGE: "ha-web-app:0123", APP_PORT: "3101", APP_CONFIG: "abc" },
        });
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("image: ha-web-app:0123")
            .and.contain("PORT: '3101'")
            .and.contain("network_mode: host")
            .and.contain("init: true")
            .and.contain("stop_grace_period: 20s")
            .and.contain(`${dir}/data:/shared-data`)
            .and.contain("DB_HOST: 127.0.0.1")
            .and.contain("DB_TLS_CA_BASE64: Q0E=");
    });
});
