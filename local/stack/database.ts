import * as fs from "fs";
import { makeServerCertificates } from "./certificates";
import { docker, dockerOk } from "../run";
import { EnsureOutcome, removeContainer } from "./containers";
import { endpointAddress, ensureDatabaseDns } from "./databaseDns";
import { adminPasswordSecret, currentPrimary, ensureServer, otherServer, promote, rebuildAsStandby, roleOf, waitUntilAnswers } from "./databasePair";
import { baseImages, buildImage, imageContext } from "./images";
import { secret, secretFile } from "./secrets";
import { database, databaseDns, databaseServers } from "./stackLayout";

export { adminPasswordSecret };
export const appPasswordSecret = "db-app-password";

/**
 * Like the RDS instance, the stand-in refuses unencrypted connections; its certificate names the
 * endpoint (`database.host`), which the hosts dial, and each server's own address, which the standby
 * and the stack's own checks dial. It is signed by a CA of this stack's own, which the hosts fetch
 * as they fetch AWS's bundle; both servers present it, as both RDS instances present one for the endpoint.
 */
export const databaseTlsDir = secretFile("db-tls");
export const databaseCaFile = `${databaseTlsDir}/ca.pem`;
/** Where the hosts find that CA (mounted read-only), fetched with a file:// URL. */
export const publishedDatabaseCa = "/usr/local/share/ha-web/db-ca.pem";

const [firstPrimary] = databaseServers;

/**
 * Builds and starts the Multi-AZ stand-in: the name server, both servers, and (on a new stack) the
 * first server promoted and the second made its standby. A running pair is left as it is, whichever
 * server is primary by now.
 */
export async function ensureDatabase(): Promise<EnsureOutcome> {
    secret(adminPasswordSecret);
    if (!fs.existsSync(databaseCaFile)) {
        const names = [`DNS:${database.host}`, ...databaseServers.map((s) => `IP:${s.address}`)].join(",");
        await makeServerCertificates(databaseTlsDir, database.host, names);
    }
    await buildImage({ tag: database.image, context: imageContext("database"), buildArgs: { BASE_IMAGE: baseImages.debian } });
    const outcomes = [];
    for (const server of databaseServers) outcomes.push(await ensureServer(server, databaseTlsDir));
    const roles = await Promise.all(databaseServers.map(roleOf));
    if (!roles.includes("primary")) {
        await promote(firstPrimary);
        await rebuildAsStandby(otherServer(firstPrimary), firstPrimary, databaseTlsDir);
        outcomes.push("created" as const);
    }
    const primary = await currentPrimary();
    outcomes.push(await ensureDatabaseDns(primary.address));
    if (endpointAddress() !== primary.address) {
        throw new Error(`the endpoint ${database.host} points at ${endpointAddress()}, but the primary is ${primary.name} (${primary.address}): ` +
            "a failover stopped half-way; run `npm run local:down` and `npm run local:up` to start the database afresh");
    }
    return outcomes.includes("created") ? "created" : outcomes.includes("started") ? "started" : "unchanged";
}

/** Removes both servers, their data and the name server. */
export async function removeDatabase(): Promise<void> {
    await removeContainer(databaseDns.container);
    for (const server of databaseServers) {
        await removeContainer(server.container);
        if (await dockerOk(["volume", "inspect", server.volume])) await docker(["volume", "rm", server.volume]);
    }
}

/** The database outage of drill 5: the primary stopped hard, like a failed RDS instance that restarts in place. */
export async function stopDatabase(): Promise<void> {
    await docker(["kill", (await currentPrimary()).container]);
}

/** Starts whichever server is stopped (drill 5's primary) again; a standby reconnects by itself. */
export async function startDatabase(): Promise<void> {
    for (const server of databaseServers) {
        if ((await roleOf(server)) === undefined) {
            await docker(["start", server.container]);
            await waitUntilAnswers(server);
        }
    }
}
