import { CanarySettings } from "./canarySettings";
import { ContainerLimits } from "./appSettings";
import { ecrImage } from "./ecrImage";
import { contentHash } from "./hash";
import { appSecretFile, HostConfigFiles, HostConfigOptions, renderHostConfigFiles } from "./hostConfigFiles";
import { HostPorts } from "./hostPorts";
import { HostPaths, hostPaths } from "./hostPaths";
import { CommandStep, fileText, FileSetStep, HostStep, PlannedFile } from "./step";
import { qualifiedStepName } from "./stepGraph";
import { awaitInServiceScript, retireHostScript } from "./membershipScripts";
import * as scripts from "./stepScripts";

/**
 * Where the app image comes from: built on each host from the uploaded `app/` (no registry needed;
 * `image` is `ha-web-app:<hash of app/>`, see `builtAppSource`), or pulled from a registry by digest
 * (from Amazon ECR through the credential helper: `ecrRegistry`, see `pulledAppSource`). `imageId`:
 * the id the release's build recorded (releaseImage.ts); each host refuses a pulled image that is not
 * it, before its switch. Without it (a prebuilt appImage) the digest alone names the content.
 */
export type AppSource<V> =
    | { kind: "build"; dir: string; hash: string; image: V }
    | { kind: "image"; image: V; imageId?: V; ecrRegistry?: V };

/** The database values the steps hand to the host on stdin. */
export interface DbInputs<V> {
    host: V;
    port: V;
    name: V;
    user: V;
    password: V;
    adminUser: V;
    adminPassword: V;
    /**
     * Where the hosts fetch the database server's CA bundle (RDS: AWS's regional bundle): every
     * connection to the database uses verified TLS; the server refuses anything else.
     */
    tlsCaUrl: string;
}

/** The app's own settings on a host: its readiness path, environment and migration (appSettings.ts). */
export interface AppInputs<V> {
    healthPath: string;
    env: Record<string, V>;
    /** Kept secret: in the root-only env file and Pulumi's encrypted state only. */
    secrets: Record<string, V>;
    /** `sh -c` command run in the new image once per release, before the first host switches. */
    migrateCommand?: string;
    /** How the first host judges a release on its own traffic before the next host rolls (canarySettings.ts). */
    canary: CanarySettings;
    limits: ContainerLimits;
    /** The largest request body nginx passes to the app, in KB. */
    maxRequestBodyKb: number;
}

export interface HostInputs<V> extends HostConfigOptions, scripts.BuildOptions {
    /** Every host, in rollout order: a release's migration waits until each of them has its image. */
    hosts: string[];
    /** The first host creates the app database and runs migrations; every rollout waits for them. */
    firstHost: string;
    /** The hosts of the rollout batch just before this host's (rolloutBatches.ts; none for the first host). */
    previousHosts: string[];
    /** The EFS file system's DNS name. */
    efsDns: V;
    /** The access point the app's data is mounted through (every operation as the app's uid). */
    efsAccessPoint: V;
    db: DbInputs<V>;
    appSource: AppSource<V>;
    app: AppInputs<V>;
    /** Defaults to `hostPaths`. */
    paths?: HostPaths;
}

/** A prebuilt image from any registry; the hosts pull from ECR with their instance profile. */
export function pulledAppSource(image: string): AppSource<string> {
    return { kind: "image", image, ecrRegistry: ecrImage(image)?.registry };
}

/** `ha-web-app:<first 16 hex digits of the content hash of app/>`: an unchanged app never rolls out. */
export function builtAppSource(dir: string, hash: string): AppSource<string> {
    return { kind: "build", dir, hash, image: `ha-web-app:${hash.slice(0, 16)}` };
}

/**
 * The ordered steps that configure one host:
 *
 * | step          | kind    | waits for                                              | runs again when          |
 * |---------------|---------|--------------------------------------------------------|--------------------------|
 * | step-scripts  | files   | (first: the host answers SSH)                          | a script changed         |
 * | wait-for-boot | command | step-scripts                                           | its script changed       |
 * | bootstrap     | command | wait-for-boot, previous batch's ones                   | its script changed       |
 * | mount-shared  | command | bootstrap, previous batch's ones                       | script or EFS changed    |
 * | app-sources   | files   | bootstrap (only when the image is built on the host)   | the app changed          |
 * | build-image   | command | app-sources (or bootstrap), previous batch's ones      | the image changed        |
 * | host-config   | files   | bootstrap                                              | a config file changed    |
 * | apply-config  | command | host-config, mount-shared, previous batch's ones       | a non-secret file changed|
 * | create-app-db | command | apply-config (first host only)                         | database values changed  |
 * | migrate       | command | create-app-db, every host's build-image (first host)   | the image or command     |
 * | rollout       | command | every host's build-image, migrate, previous batch's    | image, app config or EFS |
 * | discard-old-  | command | every host's rollout (first host only)                 | database values changed  |
 * | db-password   |         |                                                        |                          |
 *
 * Every step that does work on a serving host goes batch after batch (bootstrap, mount-shared,
 * build-image, apply-config, rollout; the first host alone, then `rolloutBatchSize` hosts at a time:
 * rolloutBatches.ts), so a failure or a load spike (packages, a remount, an image build on a small
 * instance) reaches the first host alone and stops the rest, and the pool never loses more hosts
 * than one batch at once. Not chained: wait-for-boot only waits; file sets only place files that apply-config or
 * rollout put into service; create-app-db, migrate and discard-old-db-password run once, on the
 * first host. A changed database password is added beside the old one (create-app-db), each host's
 * rollout moves its app to it, and only then is the old one dropped: no running app is refused a
 * connection.
 */
export function planHost<V>(host: HostPorts, inputs: HostInputs<V>): HostStep<V>[] {
    checkInputs(host, inputs);
    const paths = inputs.paths ?? hostPaths;
    const scripts = stepScriptFiles(host, inputs, paths);
    const command = commandStep<V>(paths, scripts);
    const isFirstHost = host.name === inputs.firstHost;
    const { appSource } = inputs;
    const imageId = (appSource.kind === "image" ? appSource.imageId : undefined) ?? plain<V>("");
    const previous = (step: string) => inputs.previousHosts.map((h) => qualifiedStepName(h, step));
    const imageSteps: HostStep<V>[] = appSource.kind === "build"
        ? [
            { kind: "files", name: "app-sources", waitsFor: ["bootstrap"], files: [], directories: [{ path: paths.appDir, source: appSource.dir, hash: appSource.hash }] },
            command("build-image", ["app-sources", ...previous("build-image")], { APP_IMAGE: appSource.image, NPM_CA_BASE64: plain<V>(npmCaBase64(inputs.npmCa)) }, false, [plain<V>(appSource.hash)]),
        ]
        : [command("build-image", ["bootstrap", ...previous("build-image")], { APP_IMAGE: appSource.image, APP_IMAGE_ID: imageId, ECR_REGISTRY: appSource.ecrRegistry ?? plain<V>("") }, false)];
    const { migrateCommand } = inputs.app;
    const everyImage = inputs.hosts.map((h) => qualifiedStepName(h, "build-image"));
    const everyRollout = inputs.hosts.map((h) => qualifiedStepName(h, "rollout"));
    const appEnv = appEnvValues(inputs);
    const appSecrets = appSecretValues(inputs);
    const configFiles = renderHostConfigFiles(host, inputs, paths, {
        healthPath: inputs.app.healthPath, envNames: Object.keys(appEnv), secretNames: Object.keys(appSecrets), limits: inputs.app.limits,
        maxRequestBodyKb: inputs.app.maxRequestBodyKb,
    });
    const configHashes = Object.values(configFiles).map((text) => plain<V>(contentHash(text)));
    return [
        { kind: "files", name: "step-scripts", waitsFor: [], files: scripts, directories: [] },
        command("wait-for-boot", ["step-scripts"]),
        command("bootstrap", ["wait-for-boot", ...previous("bootstrap")]),
        command("mount-shared", ["bootstrap", ...previous("mount-shared")], { EFS_DNS: inputs.efsDns, EFS_ACCESS_POINT: inputs.efsAccessPoint }, false),
        ...imageSteps,
        hostConfigStep(configFiles, appEnv, appSecrets, paths),
        command("apply-config", ["host-config", "mount-shared", ...previous("apply-config")], { DB_TLS_CA_URL: plain<V>(inputs.db.tlsCaUrl) }, false, configHashes),
        ...(isFirstHost ? [command("create-app-db", ["apply-config"], createAppDbValues(inputs.db), true)] : []),
        ...(isFirstHost && migrateCommand ? [showsAppOutput(command("migrate", ["create-app-db", ...everyImage], { APP_IMAGE: appSource.image, MIGRATE_COMMAND: plain<V>(migrateCommand) }, false))] : []),
        // Not before every host has the image (and the schema is migrated): a failed build or
        // migration anywhere stops the release before any host switches.
        showsAppOutput(command("rollout", ["apply-config", ...everyImage, qualifiedStepName(inputs.firstHost, migrateCommand ? "migrate" : "create-app-db"), ...previous("rollout")],
            // The app's config: ha-web-deploy redeploys when the compose file or env file changed.
            // And the file system: a new one needs the apps moved onto it (ha-web-deploy counts the mount as config).
            { APP_IMAGE: appSource.image, APP_IMAGE_ID: imageId }, false, [plain<V>(contentHash(configFiles.composeFile)), inputs.efsDns, inputs.efsAccessPoint, ...Object.values(appEnv), ...Object.values(appSecrets)])),
        ...(isFirstHost ? [command("discard-old-db-password", everyRollout, createAppDbValues(inputs.db), true)] : []),
    ];
}

function checkInputs<V>(host: HostPorts, inputs: HostInputs<V>): void {
    const problems: string[] = [];
    const isFirstHost = host.name === inputs.firstHost;
    if (isFirstHost && inputs.previousHosts.length > 0) {
        problems.push(`${host.name} is the first host, so it has no previous hosts (got ${inputs.previousHosts.join(", ")})`);
    }
    if (!isFirstHost && inputs.previousHosts.length === 0) {
        problems.push(`${host.name} is not the first host (${inputs.firstHost}): previousHosts (the batch before its own) is required`);
    }
    if (!inputs.hosts.includes(host.name) || inputs.hosts[0] !== inputs.firstHost) {
        problems.push(`hosts (${inputs.hosts.join(", ")}) must start with the first host (${inputs.firstHost}) and include ${host.name}`);
    }
    if (inputs.listen.trim() === "") {
        problems.push("listen must not be empty (\"80\" on AWS, \"127.0.0.1:<port>\" locally)");
    }
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(inputs.trustedProxyCidr)) {
        problems.push(`trustedProxyCidr must be a CIDR block like 10.0.0.0/16 (got "${inputs.trustedProxyCidr}")`);
    }
    const { databaseCidr, databasePort } = inputs.appNetwork;
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(databaseCidr) || !Number.isInteger(databasePort) || databasePort < 1 || databasePort > 65535) {
        problems.push(`appNetwork needs the database's IPv4 block like 10.0.0.0/16 and a port 1-65535 (got ${JSON.stringify(inputs.appNetwork)})`);
    }
    if (!inputs.sharedDataDir.startsWith("/")) {
        problems.push(`sharedDataDir must be an absolute path (got "${inputs.sharedDataDir}")`);
    }
    if (inputs.logging.driver === "awslogs" && (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(inputs.logging.region) || !/^[\w#/.-]{1,512}$/.test(inputs.logging.group))) {
        problems.push(`logging: awslogs needs a region such as us-west-2 and a log group name (got ${JSON.stringify(inputs.logging)})`);
    }
    if (!/^(https|file):\/\/\S+$/.test(inputs.db.tlsCaUrl)) {
        problems.push(`db.tlsCaUrl must be an https:// (or file://) URL of the database's CA bundle (got "${inputs.db.tlsCaUrl}")`);
    }
    if (problems.length > 0) {
        throw new Error(`Invalid host inputs for ${host.name}:\n - ${problems.join("\n - ")}`);
    }
}

/**
 * A value known when planning, as a step value. Every executor's V accepts a plain string (`string`
 * locally, `pulumi.Input<string>` in the program); TypeScript cannot say so for an open V.
 */
function plain<V>(value: string): V {
    return value as V;
}

/** The step scripts, one file each, and the runner that every command step calls. */
function stepScriptFiles<V>(host: HostPorts, inputs: HostInputs<V>, paths: HostPaths): PlannedFile<V>[] {
    const texts: Record<string, string> = {
        "wait-for-boot": scripts.waitForBootScript(),
        bootstrap: scripts.bootstrapScript(host.name, paths.secretsDir),
        "mount-shared": scripts.mountSharedScript(paths),
        "build-image": inputs.appSource.kind === "build" ? scripts.buildImageScript(paths, inputs) : scripts.pullImageScript(),
        "apply-config": scripts.applyConfigScript(paths),
        "create-app-db": scripts.createAppDbScript(paths),
        "discard-old-db-password": scripts.discardOldDbPasswordScript(paths),
        migrate: scripts.migrateScript(paths),
        rollout: scripts.rolloutScript(paths, host.name === inputs.firstHost ? inputs.app.canary : undefined),
        // Not steps of the plan: the create and delete actions of the host's load-balancer membership
        // (components/serviceMembership.ts).
        "await-in-service": awaitInServiceScript(paths),
        "retire-host": retireHostScript(paths),
    };
    return [
        executable(paths.stepRunner, scripts.stepRunnerScript(paths)),
        ...Object.entries(texts).map(([step, text]) => executable<V>(stepScriptPath(paths, step), text)),
    ];
}

function stepScriptPath(paths: HostPaths, step: string): string {
    return `${paths.stepsDir}/${step}.sh`;
}

function executable<V>(path: string, text: string): PlannedFile<V> {
    return { path, mode: "0755", secret: false, content: { text } };
}

/**
 * Builds command steps: `sudo -n ha-web-step NAME` runs the placed script; its triggers are the
 * script's hash and the stdin values (so a changed script or input runs it again), plus `extra`.
 */
function commandStep<V>(paths: HostPaths, scriptFiles: PlannedFile<V>[]) {
    return (name: string, waitsFor: string[], values?: Record<string, V>, secret = false, extra: V[] = []): CommandStep<V> => {
        const script = scriptFiles.find((f) => f.path === stepScriptPath(paths, name));
        if (!script) throw new Error(`no script for step ${name}`);
        return {
            kind: "command",
            name,
            waitsFor,
            command: `sudo -n ${paths.stepRunner} ${name}${secret ? " --quiet" : ""}`,
            stdin: values ? { values, secret } : undefined,
            triggers: [plain<V>(contentHash(fileText(script as PlannedFile<string>))), ...Object.values(values ?? {}), ...extra],
        };
    };
}

/** A step that prints what the app prints (its migration, its last log lines on a failed rollout): kept secret. */
function showsAppOutput<V>(step: CommandStep<V>): CommandStep<V> {
    return { ...step, outputMayShowSecrets: true };
}

function npmCaBase64(npmCa: string | undefined): string {
    return npmCa ? Buffer.from(npmCa, "utf8").toString("base64") : "";
}

/** The app's secrets, each a file it reads through `<NAME>_FILE`: its database password, then appSecrets. */
function appSecretValues<V>({ db, app }: HostInputs<V>): Record<string, V> {
    return { DB_PASSWORD: db.password, ...app.secrets };
}

/** The app's environment from the root-only env file: its database, its own settings, where each secret's file is. */
function appEnvValues<V>(inputs: HostInputs<V>): Record<string, V> {
    const { db, app } = inputs;
    const secretFiles = Object.keys(appSecretValues(inputs)).map((name) => [`${name}_FILE`, plain<V>(appSecretFile(name))]);
    return { DB_HOST: db.host, DB_PORT: db.port, DB_NAME: db.name, DB_USER: db.user, ...app.env, ...Object.fromEntries(secretFiles) };
}

function createAppDbValues<V>(db: DbInputs<V>): Record<string, V> {
    return {
        DB_HOST: db.host,
        DB_PORT: db.port,
        DB_ADMIN_USER: db.adminUser,
        DB_ADMIN_PASSWORD: db.adminPassword,
        DB_NAME: db.name,
        DB_USER: db.user,
        DB_PASSWORD: db.password,
    };
}

/** The host's configuration files: nginx site, compose file, operator commands and the app's env file. */
function hostConfigStep<V>(files: HostConfigFiles, appEnv: Record<string, V>, appSecrets: Record<string, V>, paths: HostPaths): FileSetStep<V> {
    return {
        kind: "files",
        name: "host-config",
        waitsFor: ["bootstrap"],
        directories: [],
        files: [
            { path: paths.nginxStagedMainConfig, mode: "0644", secret: false, content: { text: files.nginxMainConfig } },
            { path: paths.nginxStagedSite, mode: "0644", secret: false, content: { text: files.nginxSite } },
            { path: paths.composeFile, mode: "0644", secret: false, content: { text: files.composeFile } },
            executable(paths.deployCommand, files.deployScript),
            executable(paths.liveCommand, files.liveScript),
            { path: paths.liveUnit, mode: "0644", secret: false, content: { text: files.liveUnit } },
            { path: paths.metadataGuardUnit, mode: "0644", secret: false, content: { text: files.metadataGuardUnit } },
            executable(paths.appNetworkCommand, files.appNetworkScript),
            { path: paths.appNetworkUnit, mode: "0644", secret: false, content: { text: files.appNetworkUnit } },
            { path: paths.nginxLogrotate, mode: "0644", secret: false, content: { text: files.nginxLogrotate } },
            { path: paths.logrotateHourly, mode: "0644", secret: false, content: { text: files.logrotateHourly } },
            executable(paths.drainCommand, files.drainScript),
            executable(paths.undrainCommand, files.undrainScript),
            executable(paths.diskUseCommand, files.diskUseScript),
            { path: paths.diskUseUnit, mode: "0644", secret: false, content: { text: files.diskUseUnit } },
            { path: paths.diskUseTimer, mode: "0644", secret: false, content: { text: files.diskUseTimer } },
            { path: paths.envFile, mode: "0600", secret: true, content: { env: appEnv } },
            // Readable by all inside a root-only folder: the app's uid reads its bind mount, no one else reaches it.
            ...Object.entries(appSecrets).map(([name, value]) => ({ path: `${paths.secretsDir}/${name}`, mode: "0444", secret: true, content: { value } })),
        ],
    };
}
