import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { copySources } from "../../components/plan/hash";
import { hostPaths } from "../../components/plan/hostPaths";
import { renderStdin } from "../../components/plan/step";
import { buildImageScript } from "../../components/plan/stepScripts";
import { baseImages, ensureBaseImages } from "../../local/stack/images";
import { docker, dockerOk, run } from "../../local/run";

const caBundle = "/etc/ssl/certs/ca-certificates.crt";

describe("build-image.sh (the host's image build, with a custom npm CA)", function () {
    this.timeout(900_000);
    const work = fs.mkdtempSync("/tmp/ha-web-build-image-");
    const paths = { ...hostPaths, appDir: path.join(work, "app") };
    const image = `ha-web-app:build-image-test-${process.pid}`;

    before(async () => {
        await ensureBaseImages();
        copySources(path.join(__dirname, "..", "..", "app"), paths.appDir);
    });
    after(async () => {
        await dockerOk(["image", "rm", image]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    /** Runs the step as an executor does; /usr/bin first: Debian's docker client, as on a host. */
    const buildImage = (npmCa: string) => run("bash", ["-c", buildImageScript(paths, { baseImage: baseImages.node }), "ha-web-build-image"], {
        input: renderStdin({ APP_IMAGE: image, NPM_CA_BASE64: Buffer.from(npmCa).toString("base64") }),
        env: { PATH: `/usr/bin:${process.env.PATH ?? ""}` },
    });

    it("builds the image with this machine's CA bundle handed over as a BuildKit secret, not a layer", async () => {
        const result = await buildImage(fs.readFileSync(caBundle, "utf8"));
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain(`build-image: built ${image}`);
        expect(await dockerOk(["image", "inspect", image])).to.equal(true);
        const history = await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
        expect(history).not.to.contain("BEGIN CERTIFICATE");
    });

    it("finds the image built on a second run", async () => {
        const result = await buildImage("");
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain(`${image} is already built`);
    });
});
