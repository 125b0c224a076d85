import { contentHash } from "./hash";
import { HostFileOptions, renderHostFiles } from "./hostFiles";
import { HostLayout } from "./hostLayout";
import { HostPaths, hostPaths } from "./hostPaths";
import { CopyStep, HostStep, RunStep } from "./hostStep";
import { qualifiedStepName } from "./remoteInvocation";
import * as scripts from "./stepScripts";

/**
 * Where the app image comes from: built on each host from the uploaded `app/` (no registry needed;
 * `image` is `ha-web-app:<hash of app/>`, see `builtAppSource`), or pulled from a registry.
 */
export type AppSource<V> =
    | { kind: "build"; dir: string; hash: string; image: V }
    | { kind: "image"; image: V };

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
     * Where the hosts fetch the database server's CA bundle (RDS: AWS's regional bundle). When set,
     * every connection to the database uses verified TLS; the server refuses anything else.
     */
    tlsCaUrl?: string;
}

export interface HostInputs<V> extends HostFileOptions, scripts.BuildOptions {
    /** The first host creates the app database; every rollout waits for it. */
    firstHost: string;
    /** The host that rolls out just before this one (none for the first host). */
    previousHost?: string;
    /** The EFS file system's DNS name. */
    efsDns: V;
    db: DbInputs<V>;
    appSource: AppSource<V>;
    /** Defaults to `hostPaths`. */
    paths?: HostPaths;
}

/** `ha-web-app:<first 16 hex digits of the content hash of app/>`: an unchanged app never rolls out. */
export function builtAppSource(dir: string, hash: string): AppSource<string> {
    return { kind: "build", dir, hash, image: `ha-web-app:${hash.slice(0, 16)}` };
}

/**
 * The ordered steps that configure one host. Every host: boot, packages, EFS, app image, config,
 * rollout; the first host also creates the app database, before any host rolls out. Rollouts go one
 * host at a time (each waits for the previous host's), so the pool never loses two hosts at once.
 */
export function hostSteps<V>(host: HostLayout, inputs: HostInputs<V>): HostStep<V>[] {
    checkInputs(host, inputs);
    const paths = inputs.paths ?? hostPaths;
    const isFirstHost = host.name === inputs.firstHost;
    const imageSteps = inputs.appSource.kind === "build"
        ? [uploadAppStep<V>(inputs.appSource.dir, inputs.appSource.hash, paths), buildImageStep(inputs, paths)]
        : [pullImageStep(inputs, paths)];
    const writeConfig = writeConfigStep(host, inputs, paths);
    return [
        run("wait-for-boot", [], scripts.waitForBootScript()),
        run("bootstrap", ["wait-for-boot"], scripts.bootstrapScript(host.name)),
        run("mount-shared", ["bootstrap"], scripts.mountSharedScript(paths), { EFS_DNS: inputs.efsDns }, false),
        ...imageSteps,
        writeConfig,
        ...(isFirstHost ? [createAppDbStep(inputs, paths)] : []),
        rolloutStep(inputs, paths, writeConfig.triggers),
    ];
}

function checkInputs<V>(host: HostLayout, inputs: HostInputs<V>): void {
    const problems: string[] = [];
    const isFirstHost = host.name === inputs.firstHost;
    if (isFirstHost && inputs.previousHost !== undefined) {
        problems.push(`${host.name} is the first host, so it has no previous host (got ${inputs.previousHost})`);
    }
    if (!isFirstHost && inputs.previousHost === undefined) {
        problems.push(`${host.name} is not the first host (${inputs.firstHost}): previousHost is required`);
    }
    if (inputs.listen.trim() === "") {
        problems.push("listen must not be empty (\"80\" on AWS, \"127.0.0.1:<port>\" locally)");
    }
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(inputs.trustedProxyCidr)) {
        problems.push(`trustedProxyCidr must be a CIDR block like 10.0.0.0/16 (got "${inputs.trustedProxyCidr}")`);
    }
    if (!inputs.sharedDataDir.startsWith("/")) {
        problems.push(`sharedDataDir must be an absolute path (got "${inputs.sharedDataDir}")`);
    }
    if (problems.length > 0) {
        throw new Error(`Invalid host inputs for ${host.name}:\n - ${problems.join("\n - ")}`);
    }
}

/** A run step whose triggers are the script's hash and its stdin values: either changing re-runs it. */
function run<V>(
    name: string,
    waitsFor: string[],
    script: string,
    values?: Record<string, V>,
    secret = false,
): RunStep<V> {
    return {
        kind: "run",
        name,
        waitsFor,
        script,
        stdin: values ? { values, secret } : undefined,
        triggers: [plain<V>(contentHash(script)), ...Object.values(values ?? {})],
    };
}

/**
 * A value known when planning, as a step value. Every executor's V accepts a plain string (`string`
 * locally, `pulumi.Input<string>` in the program); TypeScript cannot say so for an open V.
 */
function plain<V>(value: string): V {
    return value as V;
}

function uploadAppStep<V>(dir: string, hash: string, paths: HostPaths): CopyStep<V> {
    return {
        kind: "copy",
        name: "upload-app",
        waitsFor: ["bootstrap"],
        localPath: dir,
        remotePath: paths.appDir,
        triggers: [plain<V>(hash)],
    };
}

function buildImageStep<V>(inputs: HostInputs<V>, paths: HostPaths): RunStep<V> {
    const script = scripts.buildImageScript(paths, inputs);
    const npmCa = plain<V>(inputs.npmCa ? Buffer.from(inputs.npmCa, "utf8").toString("base64") : "");
    return run("build-image", ["upload-app"], script, { APP_IMAGE: inputs.appSource.image, NPM_CA_BASE64: npmCa });
}

function pullImageStep<V>(inputs: HostInputs<V>, paths: HostPaths): RunStep<V> {
    return run("build-image", ["bootstrap"], scripts.pullImageScript(paths), { APP_IMAGE: inputs.appSource.image });
}

function appDbValues<V>(db: DbInputs<V>): Record<string, V> {
    return { DB_HOST: db.host, DB_PORT: db.port, DB_NAME: db.name, DB_USER: db.user, DB_PASSWORD: db.password };
}

/**
 * One host after another, like rollouts: a changed nginx configuration is applied with the host drained,
 * and the pool must never lose two hosts at once.
 */
function writeConfigStep<V>(host: HostLayout, inputs: HostInputs<V>, paths: HostPaths): RunStep<V> {
    const script = scripts.writeConfigScript(renderHostFiles(host, inputs, paths), paths, inputs.db.tlsCaUrl ?? "");
    const waitsFor = ["mount-shared", ...(inputs.previousHost ? [qualifiedStepName(inputs.previousHost, "write-config")] : [])];
    return run("write-config", waitsFor, script, appDbValues(inputs.db), true);
}

function createAppDbStep<V>(inputs: HostInputs<V>, paths: HostPaths): RunStep<V> {
    const { db } = inputs;
    const values = {
        DB_HOST: db.host,
        DB_PORT: db.port,
        DB_ADMIN_USER: db.adminUser,
        DB_ADMIN_PASSWORD: db.adminPassword,
        DB_NAME: db.name,
        DB_USER: db.user,
        DB_PASSWORD: db.password,
    };
    // After write-config: it fetches the database's CA, which create-app-db connects with.
    return run("create-app-db", ["build-image", "write-config"], scripts.createAppDbScript(paths), values, true);
}

/**
 * Rolls out after the image and config are in place, the database exists, and the previous host has
 * rolled out. Its stdin is the image only, but the app's config is a trigger too: a changed password
 * must restart the app (ha-web-deploy redeploys when app.env changed).
 */
function rolloutStep<V>(inputs: HostInputs<V>, paths: HostPaths, configTriggers: V[]): RunStep<V> {
    const waitsFor = [
        "build-image",
        "write-config",
        qualifiedStepName(inputs.firstHost, "create-app-db"),
        ...(inputs.previousHost ? [qualifiedStepName(inputs.previousHost, "rollout")] : []),
    ];
    const step = run("rollout", waitsFor, scripts.rolloutScript(paths), { APP_IMAGE: inputs.appSource.image });
    return { ...step, triggers: [...step.triggers, ...configTriggers] };
}
