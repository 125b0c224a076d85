import { expect } from "chai";
import { readTemplate, renderTemplate } from "../../components/plan/render";

describe("readTemplate", () => {
    it("inlines `# ha-web:include` lines with the shared file, leaving the rest as written", () => {
        const template = readTemplate("rollout.sh");
        expect(template).not.to.match(/ha-web:include/);
        expect(template).to.contain(readTemplate("lib/read-inputs.sh").trimEnd());
        expect(template).to.match(/^#!\/usr\/bin\/env bash\n/);
    });
});

describe("renderTemplate", () => {
    it("fills every {{name}} placeholder, each as often as it appears", () => {
        expect(renderTemplate("{{a}}-{{b}}-{{a}}", { a: "1", b: "2" })).to.equal("1-2-1");
    });

    it("leaves docker's Go templates alone", () => {
        const text = "docker inspect --format '{{.Id}} {{index .Config.Labels \"x\"}}' {{name}}";
        expect(renderTemplate(text, { name: "c" })).to.equal("docker inspect --format '{{.Id}} {{index .Config.Labels \"x\"}}' c");
    });

    it("does not re-render placeholders inside a value", () => {
        expect(renderTemplate("{{a}}", { a: "{{b}}" })).to.equal("{{b}}");
    });

    it("lists every missing and every unused value in one error", () => {
        expect(() => renderTemplate("{{a}} {{b}} {{c}}", { a: "1", x: "2", y: "3" }, "t.sh"))
            .to.throw(/Cannot render t\.sh:\n - no value for \{\{b\}\}\n - no value for \{\{c\}\}\n - value x is not used\n - value y is not used/);
    });

    it("accepts an empty value", () => {
        expect(renderTemplate("[{{a}}]", { a: "" })).to.equal("[]");
    });
});
