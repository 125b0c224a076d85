import { expect } from "chai";
import * as fs from "fs";
import * as mysql from "mysql2/promise";
import * as path from "path";
import { renderStdin } from "../../components/plan/hostStep";
import { hostPaths } from "../../components/plan/hostPaths";
import { createAppDbScript } from "../../components/plan/stepScripts";
import { baseImages, buildImage, ensureBaseImages } from "../local/images";
import { run } from "../local/run";
import { MariaDb, startMariaDb } from "../support/mariadb";

const appDir = path.join(__dirname, "..", "..", "app");
const image = "ha-web-app:create-app-db-test";

describe("create-app-db.sh against real MariaDB that requires TLS, as RDS does (the app image's tool)", function () {
    this.timeout(900_000);
    let db: MariaDb;

    /** build-image's record of the host's image and apply-config's CA file, in a temp folder. */
    const work = fs.mkdtempSync("/tmp/ha-web-create-app-db-");
    const currentImageFile = path.join(work, "app-image");
    const dbCaFile = path.join(work, "db-ca.pem");
    const script = createAppDbScript({ ...hostPaths, currentImageFile, dbCaFile });

    /** Runs the step exactly as an executor does: script as `bash -c`, values on stdin. */
    const createAppDb = (password: string) => run("bash", ["-c", script, "ha-web-create-app-db"], {
        input: renderStdin({
            DB_HOST: db.host, DB_PORT: String(db.port), DB_ADMIN_USER: db.adminUser, DB_ADMIN_PASSWORD: db.adminPassword,
            DB_NAME: "app_db", DB_USER: "app_user", DB_PASSWORD: password,
        }),
        env: { PATH: `/usr/bin:${process.env.PATH ?? ""}` },
    });
    const connectAsApp = (password: string) => mysql.createConnection({
        host: db.host, port: db.port, user: "app_user", password, database: "app_db", ssl: { ca: db.tlsCa },
    });

    before(async () => {
        await ensureBaseImages();
        await buildImage({ tag: image, context: appDir, buildArgs: { BASE_IMAGE: baseImages.node, APP_VERSION: "test" } });
        fs.writeFileSync(currentImageFile, `${image}\n`);
        db = await startMariaDb({ requireTls: true });
        fs.writeFileSync(dbCaFile, db.tlsCa!);
    });
    after(async () => {
        if (db) await db.destroy();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("creates the database and user; a second run changes nothing and succeeds", async () => {
        const first = await createAppDb("first-pw'\"\\;");
        expect(first.code, first.stderr).to.equal(0);
        const second = await createAppDb("first-pw'\"\\;");
        expect(second.code, second.stderr).to.equal(0);
    });

    it("lets the app user log in with mysql2 and see only its database", async () => {
        const connection = await connectAsApp("first-pw'\"\\;");
        try {
            const [rows] = await connection.query("SHOW DATABASES");
            const names = (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
            expect(names.filter((n) => n !== "information_schema")).to.deep.equal(["app_db"]);
        } finally {
            await connection.end();
        }
    });

    it("applies a changed password: the new one works, the old one no longer does", async () => {
        const result = await createAppDb("second-pw");
        expect(result.code, result.stderr).to.equal(0);
        await (await connectAsApp("second-pw")).end();
        let oldWorks = true;
        await connectAsApp("first-pw'\"\\;").then((c) => c.end(), () => (oldWorks = false));
        expect(oldWorks).to.equal(false);
    });

    it("never shows a password in its output", async () => {
        const result = await createAppDb("third-pw-5e8a");
        expect(result.stdout + result.stderr).to.not.contain("third-pw-5e8a").and.not.contain(db.adminPassword);
    });
});
