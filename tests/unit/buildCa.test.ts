import { expect } from "chai";
import { buildCaFile, systemCaBundle } from "../../local/releases/buildCa";

describe("the CA bundle every app image build gets as a BuildKit secret", () => {
    const only = (...files: string[]) => (file: string) => files.includes(file);
    const proxyCa = "/home/me/corp-ca.pem";

    it("is appBuildCaFile from local.settings.json when set", () => {
        expect(buildCaFile("/srv/ca.pem", { NODE_EXTRA_CA_CERTS: proxyCa }, only(proxyCa, systemCaBundle))).to.equal("/srv/ca.pem");
    });

    it("is NODE_EXTRA_CA_CERTS when the file exists", () => {
        expect(buildCaFile(undefined, { NODE_EXTRA_CA_CERTS: proxyCa }, only(proxyCa, systemCaBundle))).to.equal(proxyCa);
    });

    it("is the system bundle by default, and when NODE_EXTRA_CA_CERTS names no file or nothing", () => {
        expect(buildCaFile(undefined, {}, only(systemCaBundle))).to.equal(systemCaBundle);
        expect(buildCaFile(undefined, { NODE_EXTRA_CA_CERTS: proxyCa }, only(systemCaBundle))).to.equal(systemCaBundle);
        expect(buildCaFile(undefined, { NODE_EXTRA_CA_CERTS: "" }, only(systemCaBundle))).to.equal(systemCaBundle);
    });

    it("is none on a machine without either (the build gets no secret)", () => {
        expect(buildCaFile(undefined, {}, only())).to.equal(undefined);
    });
});
