import { expect } from "chai";
import { parseDeployArgs, parseRollbackArgs } from "../../local/releases/deployArgs";

describe("local:deploy and local:rollback words (npm keeps flags before `--` for itself)", () => {
    it("takes the release as a word", () => {
        expect(parseDeployArgs(["v5"], {})).to.deep.equal({ label: "v5", broken: false });
    });

    it("takes the broken marker as a word, or as --broken after `--`", () => {
        expect(parseDeployArgs(["v5", "broken"], {})).to.deep.equal({ label: "v5", broken: true });
        expect(parseDeployArgs(["v5", "--broken"], {})).to.deep.equal({ label: "v5", broken: true });
    });

    it("keeps the `-- --version v5` form", () => {
        expect(parseDeployArgs(["--version", "v5", "--broken"], {})).to.deep.equal({ label: "v5", broken: true });
    });

    it("says what to type when a flag was swallowed and nothing arrived", () => {
        expect(() => parseDeployArgs([], {})).to.throw(/npm run local:deploy v5\b[\s\S]*npm run local:deploy -- --version v5/);
    });

    it("refuses a --broken npm took for itself, rather than deploy a healthy build", () => {
        expect(() => parseDeployArgs(["v5"], { npm_config_broken: "true" }))
            .to.throw(/npm took --broken[\s\S]*npm run local:deploy v5 broken[\s\S]*npm run local:deploy -- v5 --broken/);
    });

    it("names what it does not take", () => {
        expect(() => parseDeployArgs(["v5", "--force"], {})).to.throw(/--force/);
        expect(() => parseDeployArgs(["v5", "v6"], {})).to.throw(/v5 and v6/);
        expect(() => parseDeployArgs(["--version"], {})).to.throw(/--version needs a label/);
        expect(() => parseDeployArgs(["v5;rm"], {})).to.throw(/"v5;rm"/);
    });

    it("rolls back to one label", () => {
        expect(parseRollbackArgs(["v1"])).to.equal("v1");
        expect(() => parseRollbackArgs([])).to.throw(/npm run local:rollback v1/);
        expect(() => parseRollbackArgs(["v1", "v2"])).to.throw(/v1 v2/);
    });
});
