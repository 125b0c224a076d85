import { expect } from "chai";
import { loadConfig, loadDatabaseConfig } from "../../app/src/config";

const database = { DB_HOST: "db.internal", DB_NAME: "ha_web", DB_USER: "ha_web_app", DB_PASSWORD: "pw-value-91" };

describe("loadDatabaseConfig (the migration tool's settings)", () => {
    it("reads the DB_* settings without PORT, APP_VERSION or SHARED_DIR", () => {
        expect(loadDatabaseConfig(database)).to.deep.equal({
            host: "db.internal", port: 3306, name: "ha_web", user: "ha_web_app", password: "pw-value-91", tlsCa: undefined,
        });
    });

    it("lists every problem at once, never the password", () => {
        expect(() => loadDatabaseConfig({ DB_PORT: "99999", DB_PASSWORD: "pw-value-91", DB_TLS_CA_BASE64: "bm90IGEgY2VydA==" }))
            .to.throw("Invalid configuration:\n - DB_HOST is required\n - DB_PORT must be an integer 1-65535, got \"99999\"\n"
                + " - DB_NAME is required\n - DB_USER is required\n - DB_TLS_CA_BASE64 must be a base64-encoded PEM certificate bundle")
            .with.property("message").that.does.not.include("pw-value-91");
    });

    it("is the same reading the app's loadConfig does", () => {
        const app = loadConfig({ ...database, PORT: "8080", APP_VERSION: "v1", SHARED_DIR: "/shared" });
        expect(app.database).to.deep.equal(loadDatabaseConfig(database));
    });
});
