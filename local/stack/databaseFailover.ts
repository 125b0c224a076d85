import { cutDatabaseServer, healDatabaseServer } from "../faults/faults";
import { note } from "../progress";
import { databaseTlsDir } from "./database";
import { moveEndpoint } from "./databaseDns";
import { currentPrimary, otherServer, promote, rebuildAsStandby, replicaStatus } from "./databasePair";
import { database } from "./stackLayout";

/** What a failover did and when (ms since the epoch), for the drills' figures. */
export interface Failover {
    oldPrimary: string;
    newPrimary: string;
    cutAt: number;
    promotedAt: number;
    /** The old primary, rebuilt from the new one, counted as its semi-synchronous standby. */
    standbyBackAt: number;
    nameMovedAt: number;
}

/**
 * A Multi-AZ failover, never kinder than RDS's:
 *
 * | when | the old primary | the standby | the endpoint's name |
 * | --- | --- | --- | --- |
 * | 0 s | its packets dropped both ways: open connections hang, new ones get no answer | applies what it received, then is promoted (writable, semi-synchronous) | still the old primary |
 * | then | killed and rebuilt from the new primary as its standby, still cut off | primary, unreachable by name: the hosts never see it early | still the old primary |
 * | `failoverSeconds` (or once the rebuild is done, if later) | | | moved (TTL 5 s); then the old address's cut is removed |
 *
 * Every commit the old primary acknowledged had reached the standby (AFTER_SYNC), so none is lost.
 * The cut is removed in a finally, so a failover that fails half-way leaves no rule behind.
 */
export async function failoverDatabase(failoverSeconds: number, onStep: (label: string) => void = () => undefined): Promise<Failover> {
    const oldPrimary = await currentPrimary();
    const standby = otherServer(oldPrimary);
    const replica = await replicaStatus(standby);
    if (replica?.get("Slave_IO_Running") !== "Yes" || replica.get("Slave_SQL_Running") !== "Yes") {
        throw new Error(`failover refused: the standby ${standby.name} is not replicating (IO ${replica?.get("Slave_IO_Running") ?? "-"}, ` +
            `SQL ${replica?.get("Slave_SQL_Running") ?? "-"}); promoting it could lose commits. See \`npm run local:status\`.`);
    }
    try {
        await cutDatabaseServer(oldPrimary);
        // From the moment its packets are dropped: a write sent while the rule was being added still reached it.
        const cutAt = Date.now();
        onStep(`${oldPrimary.name} cut`);
        await promote(standby);
        const promotedAt = Date.now();
        onStep(`${standby.name} promoted`);
        note(`${standby.name}: promoted to primary ${seconds(promotedAt - cutAt)} after the cut`);
        await rebuildAsStandby(oldPrimary, standby, databaseTlsDir);
        const standbyBackAt = Date.now();
        note(`${oldPrimary.name}: rebuilt from ${standby.name} as its standby ${seconds(standbyBackAt - cutAt)} after the cut`);
        const wait = cutAt + failoverSeconds * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await moveEndpoint(standby.address);
        const nameMovedAt = Date.now();
        onStep(`name -> ${standby.name}`);
        note(`${database.host}: now ${standby.address} (${standby.name}), ${seconds(nameMovedAt - cutAt)} after the cut`);
        return { oldPrimary: oldPrimary.name, newPrimary: standby.name, cutAt, promotedAt, standbyBackAt, nameMovedAt };
    } finally {
        await healDatabaseServer(oldPrimary);
    }
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}
