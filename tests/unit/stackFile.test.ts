import { expect } from "chai";
import { plainTextEntries } from "../../components/plan/stackFile";

/** Pulumi.<stack>.yaml as `pulumi config set [--secret] --path 'appSecrets.<NAME>' ...` writes it. */
const stackFile = (entries: string) => `config:\n  aws:region: us-west-2\n  ha-web:appSecrets:\n${entries}`;

describe("the stack's settings file (secret map entries kept in plain text)", () => {
    it("finds an entry added without --secret beside secure ones, which the engine cannot report", () => {
        const text = stackFile("    API_KEY:\n      secure: v1:abc\n    TOKEN: plain-value\n    RETRIES: 3\n");
        expect(plainTextEntries(text, "ha-web:appSecrets")).to.deep.equal(["TOKEN", "RETRIES"]);
    });

    it("finds nothing when every entry, or the whole map, is secure, or the key or file is not there", () => {
        expect(plainTextEntries(stackFile("    API_KEY:\n      secure: v1:abc\n"), "ha-web:appSecrets")).to.deep.equal([]);
        expect(plainTextEntries(stackFile("    secure: v1:abc\n"), "ha-web:appSecrets")).to.deep.equal([]);
        expect(plainTextEntries(stackFile("    API_KEY:\n      secure: v1:abc\n"), "ha-web:appEnv")).to.deep.equal([]);
        expect(plainTextEntries("", "ha-web:appSecrets")).to.deep.equal([]);
    });
});
