import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { databaseChangeWarnings } from "./plan/rdsChanges";
import { rdsIdentifier } from "./plan/rdsNames";
import { Settings } from "./plan/settings";

export interface DatabaseArgs {
    settings: Settings["db"];
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    /** Config secrets that override the generated passwords, when set. */
    adminPassword?: pulumi.Output<string>;
    appPassword?: pulumi.Output<string>;
    tags: Record<string, string>;
}

/**
 * RDS MySQL 8.4, Multi-AZ unless configured off, encrypted, private. Holds the admin credentials
 * and the app's own database name, user and password (the user is created from the first host).
 */
export class Database extends pulumi.ComponentResource {
    public readonly instance: aws.rds.Instance;
    public readonly host: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly adminUser: string;
    public readonly adminPassword: pulumi.Output<string>;
    public readonly appDatabase: string;
    public readonly appUser: string;
    public readonly appPassword: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:database:Database", name, {}, opts);
        const parent = { parent: this };
        const db = args.settings;

        // Letters and digits only: long enough to be strong, and safe in env files and connection strings.
        const password = (purpose: string) => new random.RandomPassword(`${name}-${purpose}-password`, {
            length: 32,
            special: false,
        }, parent).result;
        this.adminPassword = pulumi.secret(args.adminPassword ?? password("admin"));
        this.appPassword = pulumi.secret(args.appPassword ?? password("app"));

        // Encrypted connections only: the hosts verify the server with AWS's CA bundle (apply-config).
        // A commit the app was told of survives a Multi-AZ failover only if it was on disk when
        // acknowledged: the redo log flushed and the binlog synced at every commit (RDS's defaults, pinned
        // here so nobody trades them for speed; the standby's storage is written synchronously with it).
        const parameters = new aws.rds.ParameterGroup(`${name}-params`, {
            family: `mysql${db.engineVersion.split(".").slice(0, 2).join(".")}`,
            parameters: [
                { name: "require_secure_transport", value: "1" },
                { name: "innodb_flush_log_at_trx_commit", value: "1" },
                { name: "sync_binlog", value: "1" },
            ],
            tags: args.tags,
        }, parent);

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            subnetIds: args.subnetIds,
            tags: args.tags,
        }, parent);

        this.instance = new aws.rds.Instance(`${name}-mysql`, {
            engine: "mysql",
            engineVersion: db.engineVersion,
            instanceClass: db.instanceClass,
            allocatedStorage: db.allocatedStorageGb,
            storageType: "gp3",
            storageEncrypted: true,
            multiAz: db.multiAz,
            dbSubnetGroupName: subnetGroup.name,
            parameterGroupName: parameters.name,
            vpcSecurityGroupIds: [args.securityGroupId],
            publiclyAccessible: false,
            username: db.adminUser,
            password: this.adminPassword,
            backupRetentionPeriod: db.backupRetentionDays,
            deletionProtection: db.deletionProtection,
            skipFinalSnapshot: db.skipFinalSnapshot,
            // The snapshot outlives the stack: a fixed name would make the next destroy (or another stack) fail.
            // Sanitized: a stack named "prod_eu.1" is valid, an RDS identifier with "_" or "." is not.
            finalSnapshotIdentifier: db.skipFinalSnapshot
                ? undefined
                : new random.RandomId(`${name}-snapshot-suffix`, { byteLength: 4 }, parent).hex
                    .apply((suffix) => rdsIdentifier(name, pulumi.getStack(), "final", suffix)),
            // Off by default: a change that restarts the database waits for the maintenance window
            // (terraform-provider-aws internal/service/rds/instance.go sends it as ModifyDBInstance's
            // ApplyImmediately), and every preview shows it until then. warnOfRestarts says which.
            applyImmediately: db.applyImmediately,
            copyTagsToSnapshot: true,
            autoMinorVersionUpgrade: true,
            tags: args.tags,
        }, parent);

        warnOfRestarts(this.instance, db);

        this.host = this.instance.address;
        this.port = this.instance.port;
        this.endpoint = this.instance.endpoint;
        this.adminUser = db.adminUser;
        this.appDatabase = db.name;
        this.appUser = db.user;
        this.registerOutputs({ endpoint: this.endpoint });
    }
}

/**
 * Warns, in the preview already, of each configured change that takes the running database away
 * (rdsChanges.ts), read against what RDS reports for the instance now. A new instance has no
 * identifier yet during the preview, so nothing is looked up for it.
 */
function warnOfRestarts(instance: aws.rds.Instance, wanted: Settings["db"]): void {
    instance.identifier.apply(async (identifier) => {
        if (!identifier) return;
        const now = await aws.rds.getInstance({ dbInstanceIdentifier: identifier }, { parent: instance }).catch((error: Error) => {
            pulumi.log.warn(`could not read the database's current settings, so this preview cannot say whether a change restarts it: ${error.message}`, instance);
        });
        if (!now) return;
        for (const warning of databaseChangeWarnings({
            instanceClass: now.dbInstanceClass, engineVersion: now.engineVersion, allocatedStorageGb: now.allocatedStorage,
            multiAz: now.multiAz,
        }, wanted)) {
            pulumi.log.warn(warning, instance);
        }
    });
}
