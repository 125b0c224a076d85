import { endpointAddress } from "./databaseDns";
import { replicaStatus, roleOf, semiSyncState } from "./databasePair";
import { database, databaseServers } from "./stackLayout";

/** A server's container state as the status table shows it (status.ts's ContainerState). */
type StateOf = (container: string) => Promise<string>;

/**
 * The status table's database rows: each server with its role and its replication as the server
 * itself reports it, and where the endpoint's name points. [name, state, where].
 */
export async function databaseRows(stateOf: StateOf): Promise<string[][]> {
    const rows: string[][] = [];
    for (const server of databaseServers) {
        const state = await stateOf(server.container);
        const where = `${server.address}:${database.port}`;
        const role = state === "running" ? await roleOf(server).catch(() => undefined) : undefined;
        rows.push([`database ${server.name}`, role ? `${state}, ${await describeRole(server, role)}` : state, where]);
    }
    const address = endpointAddress();
    const target = databaseServers.find((s) => s.address === address);
    rows.push(["database endpoint", address ? `-> ${target?.name ?? "?"}` : "absent", `${database.host}:${database.port}`]);
    return rows;
}

async function describeRole(server: (typeof databaseServers)[number], role: "primary" | "standby"): Promise<string> {
    if (role === "primary") {
        const semiSync = await semiSyncState(server);
        return `primary (semi-sync ${semiSync.on ? "on" : "OFF"}, ${semiSync.standbys} standby, ${semiSync.commitsWithoutStandby} commits without it)`;
    }
    const replica = await replicaStatus(server);
    const running = replica?.get("Slave_IO_Running") === "Yes" && replica.get("Slave_SQL_Running") === "Yes";
    return `standby (${running ? "replicating" : `NOT replicating: IO ${replica?.get("Slave_IO_Running") ?? "-"}, SQL ${replica?.get("Slave_SQL_Running") ?? "-"}`})`;
}
