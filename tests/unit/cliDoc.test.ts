import { expect } from "chai";
import * as fs from "fs";
import { cliDocFile, renderCliDoc } from "../../local/commandLine/cliDoc";

describe("docs/cli.md", () => {
    it("is what the CLI's help texts render (npm run docs:cli writes it)", () => {
        expect(fs.readFileSync(cliDocFile, "utf8"), "docs/cli.md differs from the help texts: npm run docs:cli").to.equal(renderCliDoc());
    });
});
