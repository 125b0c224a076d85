import { expect } from "chai";
import { readTemplate } from "../../components/plan/render";
import { baseImages, ensureBaseImages } from "../../local/stack/images";
import { docker, run } from "../../local/run";

/**
 * files/lib/release-image-check.sh on this machine's Docker engine: the check every host makes after
 * pulling a release and again right before its switch.
 */
describe("the release image check (lib/release-image-check.sh) on a real Docker engine", function () {
    this.timeout(300_000);
    let debianId = "";
    let nodeId = "";

    before(async () => {
        await ensureBaseImages();
        debianId = (await docker(["image", "inspect", "--format", "{{.Id}}", baseImages.debian])).trim();
        nodeId = (await docker(["image", "inspect", "--format", "{{.Id}}", baseImages.node])).trim();
    });

    const check = (image: string, expected: string) =>
        run("bash", ["-c", `set -euo pipefail\n${readTemplate("lib/release-image-check.sh")}\nrequire_release_image "$1" "$2" rollout`, "check", image, expected]);

    it("passes the image the release was built as, and says so", async () => {
        const passed = await check(baseImages.debian, debianId);
        expect(passed.code, passed.stderr).to.equal(0);
        expect(passed.stdout).to.include(`holds ${baseImages.debian} as ${debianId}`);
    });

    it("refuses another image, naming the one this host holds and the one the release was built as", async () => {
        const refused = await check(baseImages.debian, nodeId);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include(`is image ${debianId} here, but the release was built as ${nodeId}`).and.include("does not switch");
    });

    it("refuses an image this host does not hold", async () => {
        const refused = await check("ha-web-app:no-such-release-image", nodeId);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include("ha-web-app:no-such-release-image is not on this host");
    });

    it("trusts a prebuilt image by its digest alone when no build recorded an id", async () => {
        const passed = await check("ha-web-app:no-such-release-image", "");
        expect(passed.code).to.equal(0);
    });
});
