import { expect } from "chai";
import { MigrationFile, planMigrations } from "../../app/src/migrations";

const file = (name: string, checksum = `sum-of-${name}`): MigrationFile => ({ name, sql: "DO 1;", checksum });
const actions = (plan: ReturnType<typeof planMigrations>) =>
    plan.steps.map((step) => `${step.action === "apply" ? step.file.name : step.name}: ${step.action}`);

// One test per row of the table in app/src/migrations.ts.
describe("planMigrations", () => {
    it("applies files not recorded, in name order", () => {
        const plan = planMigrations([file("002_b.sql"), file("001_a.sql")], []);
        expect(actions(plan)).to.deep.equal(["001_a.sql: apply", "002_b.sql: apply"]);
        expect(plan.refused).to.deep.equal([]);
    });

    it("leaves recorded files with the same checksum alone", () => {
        const plan = planMigrations([file("001_a.sql"), file("002_b.sql")], [{ name: "001_a.sql", checksum: "sum-of-001_a.sql" }]);
        expect(actions(plan)).to.deep.equal(["001_a.sql: already applied", "002_b.sql: apply"]);
    });

    it("refuses a recorded file whose checksum changed, naming it and both checksums", () => {
        const plan = planMigrations([file("001_a.sql", "new")], [{ name: "001_a.sql", checksum: "old" }]);
        expect(plan.refused).to.have.length(1);
        expect(plan.refused[0]).to.match(/^001_a\.sql changed since it was applied \(sha256 old then, new now\)/);
    });

    it("lists recorded names with no file as a later release's, and applies nothing for them", () => {
        const plan = planMigrations([file("001_a.sql")], [
            { name: "001_a.sql", checksum: "sum-of-001_a.sql" }, { name: "002_b.sql", checksum: "x" },
        ]);
        expect(actions(plan)).to.deep.equal(["001_a.sql: already applied", "002_b.sql: applied by a later release"]);
        expect(plan.refused).to.deep.equal([]);
    });
});
