import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderNginxLogrotate } from "../../components/plan/hostConfigFiles";
import { hostPaths } from "../../components/plan/hostPaths";

/** nginx's log rotation as a host gets it, run by the real logrotate against a temporary log folder. */
describe("nginx log rotation (real logrotate)", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-logrotate-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const rotate = () => {
        const config = path.join(dir, "nginx.conf");
        fs.writeFileSync(config, renderNginxLogrotate({ ...hostPaths, nginxAccessLog: path.join(dir, "ha-web.access.log"), nginxPidFile: path.join(dir, "none.pid") }));
        return spawnSync("logrotate", ["--state", path.join(dir, "state"), config], { encoding: "utf8" });
    };

    it("rotates a log past 10 MB, keeps it 0640, and leaves smaller logs alone", () => {
        fs.writeFileSync(path.join(dir, "ha-web.access.log"), Buffer.alloc(11 * 1024 * 1024, "x"));
        fs.writeFileSync(path.join(dir, "error.log"), "small\n");
        const result = rotate();
        expect(result.status, result.stderr).to.equal(0);
        expect(fs.statSync(path.join(dir, "ha-web.access.log.1")).size).to.equal(11 * 1024 * 1024);
        expect(fs.statSync(path.join(dir, "ha-web.access.log")).size).to.equal(0);
        expect(fs.statSync(path.join(dir, "ha-web.access.log")).mode & 0o777).to.equal(0o640);
        expect(fs.existsSync(path.join(dir, "error.log.1"))).to.equal(false);
    });

    it("keeps five rotated files, as Docker keeps five of the app's", () => {
        for (let i = 0; i < 7; i++) {
            fs.writeFileSync(path.join(dir, "ha-web.access.log"), Buffer.alloc(11 * 1024 * 1024, String(i)));
            expect(rotate().status).to.equal(0);
        }
        const rotated = fs.readdirSync(dir).filter((f) => f.startsWith("ha-web.access.log."));
        expect(rotated.sort()).to.deep.equal(["ha-web.access.log.1", "ha-web.access.log.2.gz", "ha-web.access.log.3.gz", "ha-web.access.log.4.gz", "ha-web.access.log.5.gz"]);
    });
});
