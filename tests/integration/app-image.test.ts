import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { inspect, removeContainer, waitFor } from "../local/containers";
import { baseImages, buildImage, ensureBaseImages } from "../local/images";
import { docker, dockerOk } from "../local/run";
import { get } from "../support/appProcess";
import { freePort } from "../support/mariadb";

const appDir = path.join(__dirname, "..", "..", "app");
const tag = "ha-web/app:integration-test";
const container = "ha-web-app-integration-test";
// This machine's CA bundle includes the TLS-intercepting proxy's CA that npm needs.
const caBundle = "/etc/ssl/certs/ca-certificates.crt";

describe("app Docker image", function () {
    // The first run builds the base images with debootstrap.
    this.timeout(600_000);

    before(async function () {
        if (await dockerOk(["info"])) return;
        if (process.env.CI === "true") throw new Error("no Docker engine answers, and CI=true requires one");
        this.skip();
    });
    after(async () => { await removeContainer(container); });

    it("builds offline from the local Node base, runs as a non-root user and answers /ping on loopback", async () => {
        await ensureBaseImages();
        await buildImage({
            tag,
            context: appDir,
            buildArgs: { BASE_IMAGE: baseImages.node, APP_VERSION: "image-test" },
            secrets: fs.existsSync(caBundle) ? { npm_ca: caBundle } : {},
        });
        const port = await freePort();
        await removeContainer(container);
        await docker([
            "run", "-d", "--name", container, "--init", "--network", "host",
            "-e", `PORT=${port}`, "-e", "HOST=127.0.0.1",
            "-e", "DB_HOST=127.0.0.1", "-e", "DB_PORT=9", "-e", "DB_NAME=app", "-e", "DB_USER=app", "-e", "DB_PASSWORD=x",
            "-e", "SHARED_DIR=/tmp", tag,
        ]);
        const url = `http://127.0.0.1:${port}`;
        await waitFor("the app container to answer /ping", 30, () => get(`${url}/ping`).then((reply) => reply.status === 200, () => false));

        const version = await get(`${url}/version`);
        expect([version.status, version.body]).to.deep.equal([200, "image-test"]);
        expect((await docker(["exec", container, "id", "-u"])).trim()).to.equal("1000");
        expect(await inspect(container, "{{.Config.Healthcheck.Test}}")).to.include("/ping");

        await docker(["stop", container]);
        expect(await inspect(container, "{{.State.ExitCode}}")).to.equal("0");
    });
});
