import { Resolver } from "dns/promises";
import * as fs from "fs";
import * as path from "path";
import { ensureContainer, EnsureOutcome, waitFor } from "./containers";
import { baseImages, buildImage, imageContext } from "./images";
import { docker } from "../run";
import { database, databaseDns } from "./stackLayout";

/**
 * The endpoint's name, as Route 53 serves the RDS endpoint: dnsmasq on its own loopback address
 * answers `database.host` with the primary's address and a 5 s TTL; every other name goes to this
 * machine's resolver. The hosts and the app containers use it through `resolvConf`; moving the name
 * is rewriting one hosts file and a SIGHUP (dnsmasq re-reads it, nothing restarts).
 */
const hostsFile = path.join(databaseDns.dir, "endpoint.hosts");
/** What the hosts and app containers mount at /etc/resolv.conf (a path on this machine, where the daemon resolves bind sources). */
export const resolvConf = path.join(databaseDns.dir, "resolv.conf");

export async function ensureDatabaseDns(pointsAt: string): Promise<EnsureOutcome> {
    fs.mkdirSync(databaseDns.dir, { recursive: true });
    fs.writeFileSync(resolvConf, `# The local stack's name server (local/stack/databaseDns.ts)\nnameserver ${databaseDns.address}\n`);
    if (!fs.existsSync(hostsFile)) writeEndpoint(pointsAt);
    await buildImage({ tag: databaseDns.image, context: imageContext("dns"), buildArgs: { BASE_IMAGE: baseImages.debian } });
    const outcome = await ensureContainer({
        name: databaseDns.container,
        image: databaseDns.image,
        runArgs: ["--network", "host", "-v", `${databaseDns.dir}:/etc/ha-web-dns:ro`],
        command: [
            `--listen-address=${databaseDns.address}`, "--bind-interfaces", "--port=53", "--no-hosts",
            "--addn-hosts=/etc/ha-web-dns/endpoint.hosts", `--local-ttl=${databaseDns.ttlSeconds}`,
            // Never forwarded: a name of the stack that is not the endpoint does not exist.
            `--local=/${database.host.split(".").slice(1).join(".")}/`,
        ],
    });
    await waitUntilServed(endpointAddress()!);
    return outcome;
}

/** Waits until the name server answers the endpoint's name with `address` (it may still be starting or re-reading). */
async function waitUntilServed(address: string): Promise<void> {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([databaseDns.address]);
    await waitFor(`${databaseDns.address} to answer ${database.host} with ${address}`, 15, async () =>
        (await resolver.resolve4(database.host).catch((): string[] => [])).includes(address));
}

/** The address the endpoint's name points at now, or undefined before the stack has one. */
export function endpointAddress(): string | undefined {
    if (!fs.existsSync(hostsFile)) return undefined;
    return fs.readFileSync(hostsFile, "utf8").split(/\s+/)[0] || undefined;
}

/** Points the name at `address`: written whole then renamed (dnsmasq never reads half a file), then re-read. */
export async function moveEndpoint(address: string): Promise<void> {
    writeEndpoint(address);
    await docker(["kill", "--signal", "HUP", databaseDns.container]);
    await waitUntilServed(address);
}

function writeEndpoint(address: string): void {
    fs.writeFileSync(`${hostsFile}.new`, `${address} ${database.host}\n`);
    fs.renameSync(`${hostsFile}.new`, hostsFile);
}
