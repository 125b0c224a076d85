import { appDefaults, AppSettings, readAppSettings, SecretMapShape } from "./appSettings";
import { canaryDefaults } from "./canarySettings";
import * as path from "path";
import { releaseLabelProblem } from "./releaseImage";
import { parseCidr } from "./cidr";
import { defaultRolloutBatchSize, rolloutBatchSizeProblem } from "./rolloutBatches";

/**
 * The project's configuration, validated before any resource exists: a bad value fails the preview
 * with one message that lists every problem, instead of failing halfway through an update.
 * Declared (with the same defaults and descriptions) in Pulumi.yaml; a unit test keeps the two equal.
 */
export interface Settings {
    hostCount: number;
    /** Hosts that take a change at once after the first (rolloutBatches.ts). */
    rolloutBatchSize: number;
    azCount: number;
    instanceType: string;
    /** Pinned per stack: hosts move to another image only when this changes (see `amiLookupCommand`). */
    amiId: string;
    sshUser: string;
    sshAllowedCidrs: string[];
    /** When set, the matching private key is the `sshPrivateKey` config secret; otherwise one is generated. */
    sshPublicKey?: string;
    vpcCidr: string;
    existingNetwork?: { vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };
    certificateArn?: string;
    /** Your own domain in a Route 53 zone: DNS-validated certificate, alias record, `url` = https://<domainName>. */
    domain?: { name: string; hostedZoneId: string };
    monitoring: {
        /** Subscribed to the alert topic when set (AWS mails a confirmation link first). */
        alertEmail?: string;
        /** ELB or target 5xx responses per minute that page. */
        http5xxPerMinute: number;
        /** Target response time p99 (ms) that pages after 3 minutes above it. */
        p99LatencyMs: number;
        dbCpuPercent: number;
        dbFreeStorageGb: number;
        dbConnections: number;
        /** EFS PercentIOLimit (General Purpose I/O ceiling). */
        efsIoLimitPercent: number;
        /** A host's root disk (or Docker's data root) used percent that pages (plan/diskUse.ts). */
        diskUsedPercent: number;
    };
    logs: {
        /** Days CloudWatch Logs keeps the app's container logs. */
        retentionDays: number;
        /** ALB access logs to S3; off saves the bucket. */
        albAccessLogs: boolean;
        /** Days the access log bucket keeps an object. */
        albAccessLogDays: number;
    };
    /**
     * Protect the EFS file system: an edit that would replace it, and `pulumi destroy`, fail instead
     * of deleting it under the hosts (set false, `pulumi up`, then destroy).
     */
    efsDeletionProtection: boolean;
    /** A prebuilt image from any registry; when unset the hosts build `app.dir` themselves. */
    appImage?: string;
    /**
     * The release to run, by label (docs/releases.md): built once from `app.dir` on the deployer's
     * machine into the stack's ECR repository, unless the repository has the label already (a
     * rollback), and pulled by digest on every host. Unset: the hosts build `app.dir` (or pull appImage).
     */
    release?: string;
    app: AppSettings;
    /** A CA bundle (PEM) on the deployer's machine, handed to the hosts' image builds for npm behind TLS-intercepting proxies. */
    appBuildCaFile?: string;
    db: {
        instanceClass: string;
        engineVersion: string;
        allocatedStorageGb: number;
        multiAz: boolean;
        backupRetentionDays: number;
        deletionProtection: boolean;
        skipFinalSnapshot: boolean;
        /** Apply database changes now instead of in the next maintenance window. */
        applyImmediately: boolean;
        adminUser: string;
        name: string;
        user: string;
    };
}

/** The default of every key that has one; Pulumi.yaml declares the same values. */
export const defaults = {
    hostCount: 2,
    rolloutBatchSize: defaultRolloutBatchSize,
    azCount: 2,
    instanceType: "t3.small",
    sshUser: "admin",
    vpcCidr: "10.20.0.0/16",
    dbInstanceClass: "db.t4g.micro",
    dbEngineVersion: "8.4",
    dbAllocatedStorageGb: 20,
    dbMultiAz: true,
    dbBackupRetentionDays: 7,
    dbDeletionProtection: true,
    efsDeletionProtection: true,
    dbSkipFinalSnapshot: false,
    dbApplyImmediately: false,
    dbAdminUser: "admin",
    dbName: "app",
    dbUser: "app",
    alarm5xxPerMinute: 10,
    alarmP99LatencyMs: 2000,
    alarmDbCpuPercent: 80,
    alarmDbFreeStorageGb: 2,
    alarmDbConnections: 60,
    alarmEfsIoLimitPercent: 90,
    alarmDiskUsedPercent: 80,
    logRetentionDays: 30,
    albAccessLogs: true,
    albAccessLogDays: 90,
    ...appDefaults,
    ...canaryDefaults,
} as const;

/** The values CloudWatch Logs accepts as a log group's retention. */
export const logRetentionChoices = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** How settings see the stack's configuration: raw strings (JSON for numbers, booleans and lists). */
export interface ConfigSource {
    get(key: string): string | undefined;
    /** Whether a secret key is set; secrets themselves never pass through validation. */
    hasSecret(key: string): boolean;
    /** A secret map's shape (each name and what kind of value it holds), never its values. */
    secretMapShape(key: string): SecretMapShape;
    fileExists(path: string): boolean;
    /** The stack's AWS region (`aws:region`), for the commands the messages suggest. */
    region?: string;
}

const identifier = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The server's own schemas: granting the app user ALL on one of them would hand it the grant tables. */
const systemSchemas = ["mysql", "sys", "information_schema", "performance_schema"];

/** A prebuilt image names its content, so every host runs the same bytes and a new digest is a new release. */
const pinnedByDigest = /@sha256:[0-9a-f]{64}$/;
const digestExample = "registry.example.com/app:1.2.3@sha256:<64 hex digits>";

/** Debian's official AMIs are published by Debian's AWS account. */
export const debianAmiOwner = "136693071363";

/**
 * How the pinned image is looked up: only among Debian's own images, so an id that someone else
 * published is refused (the "whoAMI" pattern: any public image id would otherwise pass), and
 * deprecated ones included, because AWS deprecates public AMIs two years after their creation and
 * a pinned image must keep previewing after that (DescribeImages omits deprecated images unless
 * IncludeDeprecated is set: Amazon EC2 API Reference, DescribeImages).
 */
export function pinnedAmiLookup(amiId: string): { owners: string[]; includeDeprecated: boolean; filters: Array<{ name: string; values: string[] }> } {
    return { owners: [debianAmiOwner], includeDeprecated: true, filters: [{ name: "image-id", values: [amiId] }] };
}

/** The AMI name pattern of Debian 12 for an instance type's architecture. */
export function debianAmiNamePattern(instanceType: string): string {
    return `debian-12-${amiArchitecture(instanceType) === "arm64" ? "arm64" : "amd64"}-*`;
}

/** The command that prints the newest Debian 12 AMI id for a region and instance type: what to pin in `amiId`. */
export function amiLookupCommand(instanceType: string, region = "<region>"): string {
    return `aws ec2 describe-images --region ${region} --owners ${debianAmiOwner} `
        + `--filters 'Name=name,Values=${debianAmiNamePattern(instanceType)}' 'Name=virtualization-type,Values=hvm' `
        + "--query 'sort_by(Images,&CreationDate)[-1].ImageId' --output text";
}

/** Reads and checks every key; throws one error that lists all problems. */
export function readSettings(source: ConfigSource): Settings {
    const problems: string[] = [];
    const read = new Reader(source, problems);

    const hostCount = read.integer("hostCount", defaults.hostCount, 2, 26);
    const rolloutBatchSize = read.integer("rolloutBatchSize", defaults.rolloutBatchSize, 1, 25);
    const batchProblem = rolloutBatchSizeProblem(rolloutBatchSize, hostCount);
    if (batchProblem) problems.push(batchProblem);
    const azCount = read.integer("azCount", defaults.azCount, 2, 6);
    const instanceType = read.matching("instanceType", defaults.instanceType, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.small");
    // Resolved once and pinned: a newly published image never replaces hosts by surprise, and a roll is one config change.
    const amiId = read.optionalMatching("amiId", /^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0");
    if (amiId === undefined && source.get("amiId") === undefined) {
        problems.push("amiId is required: pin the Debian 12 image for this stack (hosts move to another image only when you change it): "
            + `pulumi config set amiId "$(${amiLookupCommand(instanceType, source.region)})"`);
    }
    const sshUser = read.matching("sshUser", defaults.sshUser, /^[a-z_][a-z0-9_-]*$/, "a Unix user name");
    // No default: SSH open to the world is a choice someone makes explicitly (0.0.0.0/0), never by omission.
    const sshAllowedCidrs = read.cidrList("sshAllowedCidrs", []);
    if (source.get("sshAllowedCidrs") === undefined) {
        problems.push("sshAllowedCidrs is required: who may SSH to the hosts, including the machine running pulumi up: "
            + "pulumi config set --path 'sshAllowedCidrs[0]' \"$(curl -s https://checkip.amazonaws.com)/32\" "
            + "(only an explicit 0.0.0.0/0 opens SSH to the world)");
    }
    const sshPublicKey = read.optionalMatching("sshPublicKey", /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+/, "an OpenSSH public key line");
    if (sshPublicKey && !source.hasSecret("sshPrivateKey")) {
        problems.push("sshPublicKey is set, so the matching private key is needed for host set-up: pulumi config set --secret sshPrivateKey < key");
    }
    const vpcCidr = read.cidr("vpcCidr", defaults.vpcCidr, 16, 24);
    const existingNetwork = readExistingNetwork(read, problems);
    const certificateArn = read.optionalMatching("certificateArn", /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "an ACM certificate ARN");
    const domain = readDomain(read, problems);
    const appImage = read.optionalMatching("appImage", /^\S+$/, `an image reference pinned by digest such as ${digestExample}`);
    if (appImage && !pinnedByDigest.test(appImage)) {
        problems.push(`appImage must name the image by its digest (…@sha256:<64 hex digits>), got "${appImage}": a tag can be moved to other `
            + "content, which a replacement host would then pull while the others run the old one, and no rollout would follow. "
            + `Resolve it: docker buildx imagetools inspect ${appImage} --format '{{json .Manifest.Digest}}' `
            + `(ECR: aws ecr describe-images --repository-name <name> --image-ids imageTag=<tag> --query 'imageDetails[0].imageDigest'), `
            + `then pulumi config set appImage "${appImage}@sha256:<digest>"`);
    }
    const release = read.optionalMatching("release", /^\S+$/, "a release label such as v5");
    const labelProblem = release === undefined ? undefined : releaseLabelProblem(release);
    if (labelProblem) problems.push(`release: ${labelProblem}`);
    if (release !== undefined && appImage !== undefined) {
        problems.push(`release (${release}) and appImage are both set: a release is built from appDir into the stack's ECR repository, `
            + "appImage is an image built elsewhere. Keep one: pulumi config rm appImage, or pulumi config rm release");
    }
    const appBuildCaFile = read.optionalMatching("appBuildCaFile", /\S/, "a path to a PEM file");
    if (appBuildCaFile && !source.fileExists(appBuildCaFile)) {
        problems.push(`appBuildCaFile: no file at ${appBuildCaFile}`);
    }
    const app = readAppSettings(source, problems, appImage !== undefined);
    if (!appImage && !source.fileExists(path.join(app.dir, "Dockerfile"))) {
        problems.push(`appDir: no Dockerfile in ${app.dir} (the app the hosts build; or set appImage to a prebuilt image)`);
    }

    const adminUser = read.matching("dbAdminUser", defaults.dbAdminUser, identifier, "a MySQL user name (letters, digits, _)", 16);
    const user = read.matching("dbUser", defaults.dbUser, identifier, "a MySQL user name (letters, digits, _)", 32);
    if (user === adminUser || user.toLowerCase() === "root") {
        problems.push(`dbUser must differ from the admin user (${adminUser}) and root: the app gets its own least-privilege user`);
    }
    const db = {
        instanceClass: read.matching("dbInstanceClass", defaults.dbInstanceClass, /^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.t4g.micro"),
        engineVersion: read.matching("dbEngineVersion", defaults.dbEngineVersion, /^8\.4(\.\d+)?$/, "a MySQL 8.4 version (8.0 left standard support on 2026-07-31)"),
        allocatedStorageGb: read.integer("dbAllocatedStorageGb", defaults.dbAllocatedStorageGb, 20, 65536),
        multiAz: read.boolean("dbMultiAz", defaults.dbMultiAz),
        backupRetentionDays: read.integer("dbBackupRetentionDays", defaults.dbBackupRetentionDays, 1, 35),
        deletionProtection: read.boolean("dbDeletionProtection", defaults.dbDeletionProtection),
        skipFinalSnapshot: read.boolean("dbSkipFinalSnapshot", defaults.dbSkipFinalSnapshot),
        applyImmediately: read.boolean("dbApplyImmediately", defaults.dbApplyImmediately),
        adminUser,
        name: read.matching("dbName", defaults.dbName, identifier, "a database name (letters, digits, _)", 64),
        user,
    };
    if (systemSchemas.includes(db.name.toLowerCase())) {
        problems.push(`dbName must not be a MySQL system schema (${systemSchemas.join(", ")}), got ${JSON.stringify(db.name)}: `
            + "the app user gets ALL privileges on it. Pick the app's own name: pulumi config set dbName app");
    }

    const monitoring = {
        alertEmail: read.optionalMatching("alertEmail", /^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an email address such as ops@example.com", 254),
        http5xxPerMinute: read.integer("alarm5xxPerMinute", defaults.alarm5xxPerMinute, 1, 100000),
        p99LatencyMs: read.integer("alarmP99LatencyMs", defaults.alarmP99LatencyMs, 10, 60000),
        dbCpuPercent: read.integer("alarmDbCpuPercent", defaults.alarmDbCpuPercent, 1, 100),
        dbFreeStorageGb: read.integer("alarmDbFreeStorageGb", defaults.alarmDbFreeStorageGb, 1, 65536),
        dbConnections: read.integer("alarmDbConnections", defaults.alarmDbConnections, 1, 100000),
        efsIoLimitPercent: read.integer("alarmEfsIoLimitPercent", defaults.alarmEfsIoLimitPercent, 1, 100),
        // Below 100: df's used percent reaches 100 only once nothing more can be written.
        diskUsedPercent: read.integer("alarmDiskUsedPercent", defaults.alarmDiskUsedPercent, 1, 99),
    };
    if (monitoring.dbFreeStorageGb >= db.allocatedStorageGb) {
        problems.push(`alarmDbFreeStorageGb (${monitoring.dbFreeStorageGb}) must be below dbAllocatedStorageGb (${db.allocatedStorageGb}), or the alarm fires from the start`);
    }
    const efsDeletionProtection = read.boolean("efsDeletionProtection", defaults.efsDeletionProtection);
    const logs = {
        retentionDays: read.oneOf("logRetentionDays", defaults.logRetentionDays, logRetentionChoices),
        albAccessLogs: read.boolean("albAccessLogs", defaults.albAccessLogs),
        albAccessLogDays: read.integer("albAccessLogDays", defaults.albAccessLogDays, 1, 3650),
    };

    if (problems.length > 0) {
        throw new Error(`Invalid configuration:\n - ${problems.join("\n - ")}`);
    }
    return {
        hostCount, rolloutBatchSize, azCount, instanceType, amiId: amiId!, sshUser, sshAllowedCidrs, sshPublicKey, vpcCidr,
        existingNetwork, certificateArn, domain, efsDeletionProtection, appImage, release, appBuildCaFile, app, db, monitoring, logs,
    };
}

/** The AZ count can only be checked once the region's zones are known. */
export function checkAzCount(azCount: number, available: string[], region: string): void {
    if (azCount > available.length) {
        throw new Error(
            `Invalid configuration:\n - azCount is ${azCount} but ${region} has ${available.length} availability zones (${available.join(", ")})`,
        );
    }
}

/** The pinned AMI can only be checked once EC2 has described it. */
export function checkAmi(amiId: string, architecture: string, instanceType: string): void {
    const needed = amiArchitecture(instanceType);
    if (architecture !== needed) {
        throw new Error(`Invalid configuration:\n - amiId ${amiId} is an ${architecture} image but instanceType ${instanceType} needs ${needed}: `
            + `pin a matching image: pulumi config set amiId "$(${amiLookupCommand(instanceType)})"`);
    }
}

/** Graviton instance families (t4g, m7g, c7gn...) need an arm64 AMI. */
export function amiArchitecture(instanceType: string): "arm64" | "x86_64" {
    const family = instanceType.split(".")[0];
    return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** domainName and hostedZoneId go together; certificateArn may come with them (a certificate made elsewhere). */
function readDomain(read: Reader, problems: string[]): Settings["domain"] {
    // Lower case, labels of letters, digits and inner hyphens, at least two labels: what ACM and Route 53 both accept.
    const name = read.optionalMatching("domainName", /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case domain name such as www.example.com");
    const hostedZoneId = read.optionalMatching("hostedZoneId", /^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
    if (read.isSet("domainName") !== read.isSet("hostedZoneId")) {
        problems.push("domainName and hostedZoneId go together: the certificate is validated and the alias record made in that zone "
            + "(aws route53 list-hosted-zones-by-name --dns-name <your domain> shows the id)");
        return undefined;
    }
    return name && hostedZoneId ? { name, hostedZoneId } : undefined;
}

function readExistingNetwork(read: Reader, problems: string[]): Settings["existingNetwork"] {
    const vpcId = read.optionalMatching("existingVpcId", /^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0123abcd");
    const publicSubnetIds = read.idList("existingPublicSubnetIds");
    const privateSubnetIds = read.idList("existingPrivateSubnetIds");
    const given = [vpcId, publicSubnetIds, privateSubnetIds].filter((v) => v !== undefined).length;
    if (given === 0) {
        return undefined;
    }
    if (!vpcId || !publicSubnetIds || !privateSubnetIds) {
        problems.push("existingVpcId, existingPublicSubnetIds and existingPrivateSubnetIds go together: set all three or none");
        return undefined;
    }
    for (const [key, ids] of [["existingPublicSubnetIds", publicSubnetIds], ["existingPrivateSubnetIds", privateSubnetIds]] as const) {
        if (ids.length < 2) {
            problems.push(`${key} needs at least 2 subnets in different availability zones, got ${ids.length}`);
        }
    }
    return { vpcId, publicSubnetIds, privateSubnetIds };
}

/** Parses one key at a time, appending a problem (naming the key and what is allowed) instead of throwing. */
class Reader {
    constructor(private readonly source: ConfigSource, private readonly problems: string[]) {}

    integer(key: string, fallback: number, min: number, max: number): number {
        const raw = this.source.get(key);
        if (raw === undefined) {
            return fallback;
        }
        const value = Number(raw);
        if (!Number.isInteger(value) || value < min || value > max) {
            this.problems.push(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
            return fallback;
        }
        return value;
    }

    isSet(key: string): boolean {
        return this.source.get(key) !== undefined;
    }

    oneOf(key: string, fallback: number, choices: number[]): number {
        const raw = this.source.get(key);
        if (raw === undefined) {
            return fallback;
        }
        if (!choices.includes(Number(raw))) {
            this.problems.push(`${key} must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
            return fallback;
        }
        return Number(raw);
    }

    boolean(key: string, fallback: boolean): boolean {
        const raw = this.source.get(key);
        if (raw === undefined) {
            return fallback;
        }
        if (raw !== "true" && raw !== "false") {
            this.problems.push(`${key} must be true or false, got ${JSON.stringify(raw)}`);
            return fallback;
        }
        return raw === "true";
    }

    matching(key: string, fallback: string, pattern: RegExp, what: string, maxLength = 255): string {
        return this.optionalMatching(key, pattern, what, maxLength) ?? fallback;
    }

    optionalMatching(key: string, pattern: RegExp, what: string, maxLength = 4096): string | undefined {
        const raw = this.source.get(key);
        if (raw === undefined) {
            return undefined;
        }
        if (!pattern.test(raw) || raw.length > maxLength) {
            this.problems.push(`${key} must be ${what}, got ${JSON.stringify(raw)}`);
            return undefined;
        }
        return raw;
    }

    cidr(key: string, fallback: string, minPrefix: number, maxPrefix: number): string {
        const raw = this.source.get(key) ?? fallback;
        const parsed = parseCidr(raw);
        if (!parsed || parsed.prefix < minPrefix || parsed.prefix > maxPrefix) {
            this.problems.push(`${key} must be a network CIDR from /${minPrefix} to /${maxPrefix} such as ${fallback}, got ${JSON.stringify(raw)}`);
            return fallback;
        }
        return raw;
    }

    cidrList(key: string, fallback: string[]): string[] {
        const list = this.stringList(key);
        if (list === undefined) {
            return fallback;
        }
        const bad = list.filter((c) => !parseCidr(c));
        if (list.length === 0 || bad.length > 0) {
            this.problems.push(`${key} must be a non-empty list of network CIDRs such as ["203.0.113.7/32"], bad entries: ${JSON.stringify(bad)}`);
            return fallback;
        }
        return list;
    }

    idList(key: string): string[] | undefined {
        const list = this.stringList(key);
        const bad = (list ?? []).filter((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id));
        if (bad.length > 0) {
            this.problems.push(`${key} must list subnet ids such as subnet-0123abcd, bad entries: ${JSON.stringify(bad)}`);
        }
        return list;
    }

    private stringList(key: string): string[] | undefined {
        const raw = this.source.get(key);
        if (raw === undefined) {
            return undefined;
        }
        try {
            const parsed: unknown = JSON.parse(raw);
            if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) {
                return parsed;
            }
        } catch {
            // fall through to the problem below
        }
        this.problems.push(`${key} must be a list of strings, got ${JSON.stringify(raw)}`);
        return undefined;
    }
}
