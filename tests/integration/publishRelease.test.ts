import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parsePublishedRelease } from "../../components/plan/releaseImage";
import { waitFor } from "../../local/stack/containers";
import { canConnect } from "../../local/stack/hosts";
import { baseImages, ensureBaseImages } from "../../local/stack/images";
import { docker, dockerBinary, dockerOk, run } from "../../local/run";
import { freePort } from "../support/mariadb";

/**
 * files/publish-release.sh against a real registry (Debian's docker-registry, on a loopback address
 * of this test's own): the branches the Pulumi program relies on with ECR, where a label the
 * registry has is the release as built (a rollback) and is never rebuilt from the sources now.
 */
describe("publish-release.sh (a release built once, pushed, and its record printed)", function () {
    this.timeout(300_000);
    const address = "127.0.5.9";
    const work = fs.mkdtempSync("/tmp/ha-web-publish-release-");
    const appDir = path.join(work, "app");
    const label = `v-test-${process.pid}`;
    let registry: ChildProcess | undefined;
    let repository = "";

    before(async () => {
        await ensureBaseImages();
        const port = await freePort();
        repository = `${address}:${port}/ha-web-app`;
        const config = path.join(work, "config.yml");
        fs.writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${work}/storage\nhttp:\n  addr: ${address}:${port}\n`);
        registry = spawn("/usr/bin/docker-registry", ["serve", config], { stdio: "ignore" });
        await waitFor(`the test registry on ${address}:${port}`, 15, () => canConnect(port, address));
        fs.mkdirSync(appDir);
        fs.writeFileSync(path.join(appDir, "Dockerfile"), `FROM ${baseImages.debian}\nARG APP_VERSION=dev\nLABEL first=build\nENV APP_VERSION=\${APP_VERSION}\n`);
    });
    after(async () => {
        registry?.kill();
        await dockerOk(["image", "rm", `${repository}:${label}`]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    const publish = (env: Record<string, string>) =>
        run("bash", [path.join(__dirname, "..", "..", "files", "publish-release.sh")], { env: { RELEASE_LABEL: label, RELEASE_REPOSITORY: repository, DOCKER: dockerBinary, ...env } });

    it("builds a label the registry lacks from APP_DIR, pushes it, and prints its digest and image id", async () => {
        const published = await publish({ APP_DIR: appDir });
        expect(published.code, published.stderr).to.equal(0);
        const record = parsePublishedRelease(published.stdout, label);
        expect(record.imageId).to.equal((await docker(["image", "inspect", "--format", "{{.Id}}", `${repository}:${label}`])).trim());
        const repoDigests = await docker(["image", "inspect", "--format", "{{json .RepoDigests}}", `${repository}:${label}`]);
        expect(JSON.parse(repoDigests)).to.include(`${repository}@${record.digest}`);
        expect(published.stderr).to.include(`building ${repository}:${label} from ${appDir}`);
    });

    it("takes a label the registry has as it was built, never rebuilding it from the sources now", async () => {
        const first = parsePublishedRelease((await publish({ APP_DIR: appDir })).stdout, label);
        fs.writeFileSync(path.join(appDir, "Dockerfile"), `FROM ${baseImages.debian}\nLABEL second=build\n`);
        await docker(["image", "rm", `${repository}:${label}`]);
        const again = await publish({ APP_DIR: appDir });
        expect(again.code, again.stderr).to.equal(0);
        expect(again.stderr).to.include("is in the registry already").and.not.include("building");
        expect(parsePublishedRelease(again.stdout, label)).to.deep.equal(first);
    });

    it("says what failed when the registry cannot be asked, and prints no record", async () => {
        const failed = await publish({ RELEASE_REPOSITORY: `${address}:1/ha-web-app`, APP_DIR: appDir });
        expect(failed.code).to.equal(1);
        expect(failed.stderr).to.include(`could not ask the registry for ${address}:1/ha-web-app:${label}`);
        expect(failed.stdout).to.equal("");
    });
});
