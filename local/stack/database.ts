import * as fs from "fs";
import { makeServerCertificates } from "./certificates";
import { ensureContainer, EnsureOutcome, isRunning, waitFor } from "./containers";
import { baseImages, buildImage, imageContext } from "./images";
import { dockerOk, docker } from "../run";
import { secret, secretFile } from "./secrets";
import { database } from "./stackLayout";

export const adminPasswordSecret = "db-admin-password";
export const appPasswordSecret = "db-app-password";

/**
 * Like the RDS instance, the stand-in refuses unencrypted connections; its certificate (for the
 * name the hosts dial, `localhost`) is signed by a CA of this stack's own, which the hosts fetch as they fetch AWS's bundle.
 */
export const databaseTlsDir = secretFile("db-tls");
export const databaseCaFile = `${databaseTlsDir}/ca.pem`;
/** Where the hosts find that CA (mounted read-only), fetched with a file:// URL. */
export const publishedDatabaseCa = "/usr/local/share/ha-web/db-ca.pem";

/** Builds and starts the MariaDB stand-in for RDS; waits until it accepts connections. */
export async function ensureDatabase(): Promise<EnsureOutcome> {
    secret(adminPasswordSecret);
    if (!fs.existsSync(databaseCaFile)) await makeServerCertificates(databaseTlsDir, database.host, `DNS:${database.host}`);
    await buildImage({ tag: database.image, context: imageContext("database"), buildArgs: { BASE_IMAGE: baseImages.debian } });
    if (!(await dockerOk(["volume", "inspect", database.volume]))) {
        await docker(["volume", "create", database.volume]);
    }
    const outcome = await ensureContainer({
        name: database.container,
        image: database.image,
        runArgs: [
            "--network", "host",
            "--env", `DB_PORT=${database.port}`,
            "--env", `DB_ADMIN_USER=${database.adminUser}`,
            "-v", `${database.volume}:/var/lib/mysql`,
            "-v", `${secretFile(adminPasswordSecret)}:/run/secrets/${adminPasswordSecret}:ro`,
            "-v", `${databaseTlsDir}:/run/secrets/db-tls:ro`,
        ],
    });
    await waitUntilDatabaseAnswers();
    return outcome;
}

async function waitUntilDatabaseAnswers(): Promise<void> {
    await waitFor("the database to accept connections", 60, async () =>
        (await isRunning(database.container)) &&
        dockerOk(["exec", database.container, "mariadb-admin", "--protocol=socket", "ping"]));
}

/** The database outage of drill 5: stopped hard, like a failed RDS instance. */
export async function stopDatabase(): Promise<void> {
    await docker(["kill", database.container]);
}

export async function startDatabase(): Promise<void> {
    await docker(["start", database.container]);
    await waitUntilDatabaseAnswers();
}
