import { Settings } from "./settings";

type DbSettings = Settings["db"];

/** What the RDS instance is now (DescribeDBInstances), in the settings' terms; unknown fields are left out. */
export interface CurrentDatabase {
    instanceClass?: string;
    engineVersion?: string;
    allocatedStorageGb?: number;
    multiAz?: boolean;
}

/** What changing one setting does to the running database, from the Amazon RDS User Guide. */
export interface SettingCost {
    setting: keyof CurrentDatabase;
    /** The stack config key. */
    key: string;
    /** True when the change takes the database away (a restart or failover). */
    outage: boolean;
    /** What the site sees, and for how long. */
    cost: string;
    source: string;
}

/**
 * | setting              | outage                             | what the site sees                                   |
 * |----------------------|------------------------------------|------------------------------------------------------|
 * | dbInstanceClass      | always                             | Multi-AZ: a failover; single-AZ: away for the change  |
 * | dbEngineVersion      | always                             | both nodes upgraded at once: away for the upgrade     |
 * | dbAllocatedStorageGb | never                              | none (storage optimization, hours; no shrinking)      |
 * | dbMultiAz            | never                              | none (higher write latency while the standby syncs)   |
 * (dbBackupRetentionDays is 1-35, so never 0, the one change of it that restarts the database.)
 */
export const settingCosts: SettingCost[] = [
    {
        setting: "instanceClass", key: "dbInstanceClass", outage: true,
        cost: "Multi-AZ: the standby is modified first, then a failover (typically 60-120 s in which new connections fail and writes get 503); "
            + "single-AZ: the database is away for the whole modification",
        source: "Amazon RDS User Guide, Settings for DB instances (DB instance class: an outage occurs during this change); Failing over a Multi-AZ DB instance",
    },
    {
        setting: "engineVersion", key: "dbEngineVersion", outage: true,
        cost: "both the primary and the standby are upgraded at the same time: Multi-AZ does not help, the database is away for the whole upgrade (minutes)",
        source: "Amazon RDS User Guide, Upgrading the MySQL DB engine (Multi-AZ: the primary and standby are upgraded at the same time, with an outage until the upgrade is complete)",
    },
    {
        setting: "allocatedStorageGb", key: "dbAllocatedStorageGb", outage: false,
        cost: "no outage; storage optimization runs for hours, it cannot shrink, and the next storage change must wait 6 hours",
        source: "Amazon RDS User Guide, Increasing DB instance storage capacity",
    },
    {
        setting: "multiAz", key: "dbMultiAz", outage: false,
        cost: "no outage; turning it on snapshots the primary and builds the standby, with higher write latency until it is in sync",
        source: "Amazon RDS User Guide, Modifying a DB instance to be a Multi-AZ DB instance deployment",
    },
];

/** Whether a setting differs; an engine version of "8.4" means any 8.4.x, as RDS picks the patch. */
function changed(from: CurrentDatabase, to: DbSettings, setting: keyof CurrentDatabase): boolean {
    const [now, wanted] = [from[setting], to[setting]].map(String);
    if (from[setting] === undefined) return false;
    return setting === "engineVersion" ? now !== wanted && !now.startsWith(`${wanted}.`) : now !== wanted;
}

/**
 * One warning per setting whose change takes the database away, saying when it happens: now
 * (`dbApplyImmediately`) or in the instance's next maintenance window. Nothing for a new instance.
 */
export function databaseChangeWarnings(current: CurrentDatabase, wanted: DbSettings): string[] {
    const when = wanted.applyImmediately
        ? "during this `pulumi up` (dbApplyImmediately is true)"
        : "in the instance's next maintenance window (dbApplyImmediately is false; every preview shows the change until then)";
    return settingCosts
        .filter((c) => c.outage && changed(current, wanted, c.setting))
        .map((c) => `${c.key} ${current[c.setting]} -> ${wanted[c.setting]} restarts the database ${when}: ${c.cost}. (${c.source})`);
}
