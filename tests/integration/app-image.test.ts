import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { inspect, removeContainer, waitFor } from "../../local/stack/containers";
import { buildCaFile, buildCaSecretId } from "../../local/releases/buildCa";
import { baseImages, buildImage, ensureBaseImages } from "../../local/stack/images";
import { docker } from "../../local/run";
import { requireDockerEngine } from "../support/dockerEngine";
import { request } from "../../local/http/probe";
import { createAccount, databaseEnv } from "../support/appDatabase";
import { freePort, startMariaDb } from "../support/mariadb";

const appDir = path.join(__dirname, "..", "..", "app");
const tag = "ha-web/app:integration-test";
const container = "ha-web-app-integration-test";
// The CA bundle every release build gets (this machine's includes the TLS-intercepting proxy's CA that npm needs).
const caFile = buildCaFile(undefined, process.env, fs.existsSync);

describe("app Docker image", function () {
    // The first run builds the base images with debootstrap.
    this.timeout(600_000);

    before(async () => {
        await requireDockerEngine();
        // Offline, from the local Node base.
        await ensureBaseImages();
        await buildImage({
            tag,
            context: appDir,
            buildArgs: { BASE_IMAGE: baseImages.node, APP_VERSION: "image-test" },
            secrets: caFile === undefined ? {} : { [buildCaSecretId]: caFile },
        });
    });
    after(async () => { await removeContainer(container); });

    it("runs as a non-root user, answers /ping on loopback, and has no in-image health check", async () => {
        const port = await freePort();
        await removeContainer(container);
        await docker([
            "run", "-d", "--name", container, "--init", "--network", "host",
            "-e", `PORT=${port}`, "-e", "HOST=127.0.0.1",
            "-e", "DB_HOST=127.0.0.1", "-e", "DB_PORT=9", "-e", "DB_NAME=app", "-e", "DB_USER=app", "-e", "DB_PASSWORD=x",
            "-e", "SHARED_DIR=/tmp", tag,
        ]);
        const url = `http://127.0.0.1:${port}`;
        await waitFor("the app container to answer /ping", 30, () => request(`${url}/ping`).then((reply) => reply.status === 200, () => false));

        const version = await request(`${url}/version`);
        expect([version.status, version.text]).to.deep.equal([200, "image-test"]);
        expect((await docker(["exec", container, "id", "-u"])).trim()).to.equal("1000");
        // The platform checks health from the host; an in-image check would need node (or curl) in every image.
        expect(await inspect(container, "{{.Config.Healthcheck}}")).to.equal("<nil>");

        await docker(["stop", container]);
        expect(await inspect(container, "{{.State.ExitCode}}")).to.equal("0");
    });

    it("carries its migrations and the tool that applies them: `node dist/tools/migrate.js` with the app's settings", async () => {
        const db = await startMariaDb();
        try {
            const account = { database: "image_app", user: "image_app", password: "image-secret-3e7d" };
            await createAccount(db, account);
            const settings = Object.entries(databaseEnv(db, account)).flatMap(([name, value]) => ["-e", `${name}=${value}`]);
            const migrateInImage = () => docker(["run", "--rm", "--network", "host", ...settings, tag, "node", "dist/tools/migrate.js"]);
            expect(await migrateInImage()).to.match(/^001_create_notes\.sql: applied \(\d+ ms\)\n/);
            expect(await migrateInImage()).to.match(/^001_create_notes\.sql: already applied\n/);
        } finally {
            await db.destroy();
        }
    });
});
