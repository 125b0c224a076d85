import { CanarySettings, readCanarySettings } from "./canarySettings";

/**
 * The app's side of the contract with the hosts (README, "Your own app"): where its code is, the
 * path that says it is ready, its own settings and secrets, and the migration each release runs.
 * Read by the Pulumi program (stack config) and the local stack (local.settings.json) alike.
 */
export interface AppSettings {
    /** The directory the hosts build the image from (when `appImage` is not set). */
    dir: string;
    /** GET answers 200 once the app can serve (its database included); deploys wait for it. */
    healthPath: string;
    /** Plain settings, in the app's environment. */
    env: Record<string, string>;
    /** Names of the secret settings (`appSecrets`); their values stay Pulumi secrets. */
    secretNames: string[];
    /** Run by `sh -c` in the new image before any host switches to it; undefined: none. */
    migrateCommand?: string;
    /** How the rollout's first host judges a release on real traffic before the others get it. */
    canary: CanarySettings;
    limits: ContainerLimits;
    /** The largest request body nginx passes to the app, in KB (appMaxRequestBodyKb); larger ones get 413. */
    maxRequestBodyKb: number;
}

/** What one app container may use (appMemoryMb, appPidsLimit): a runaway app cannot starve nginx or the host. */
export interface ContainerLimits {
    memoryMb: number;
    pids: number;
}

/** What a secret map holds, without its values: a problem can name a key, never show a value. */
export type SecretMapShape =
    | undefined
    | "not a map"
    | { entries: Array<{ name: string; value: ValueKind; plainText: boolean }> };

/** What an env value can be: one line of text (numbers and booleans as their text), or not. */
type ValueKind = "ok" | "multi-line" | "not text";

/**
 * The variables the platform sets itself (compose file, ha-web-deploy) or the processes that
 * start the app need: an app setting of that name would silently override or be overridden.
 * ha-web-deploy hands the env file to docker-compose (Python, through docker-py and the dynamic
 * loader) as environment (files/lib/app-env.sh): a setting must never steer those programs, which run
 * as root. So besides the platform's own names the list refuses what steers docker-compose and the
 * Docker client (COMPOSE_*, DOCKER_*), Python (PYTHON*), the dynamic loader and glibc (LD_*,
 * GCONV_PATH, GLIBC_TUNABLES, ...), TLS libraries (OPENSSL_*, SSL_*, REQUESTS_CA_BUNDLE, ...), proxies
 * and the resolver, and shells (ENV, BASH_*, IFS, ...).
 */
export const platformEnvNames = [
    "HOST", "PORT", "SHARED_DIR", "SHUTDOWN_TIMEOUT_MS", "APP_VERSION",
    "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_PASSWORD_FILE", "DB_TLS_CA_BASE64",
    "APP_IMAGE", "APP_PORT", "APP_CONFIG",
    "PATH", "HOME", "HOSTNAME", "USER", "SHELL", "PWD", "TERM", "TMPDIR", "LANG", "LANGUAGE", "TZ", "TZDIR",
    "UID", "EUID", "PPID", "SHELLOPTS", "BASHOPTS", "ENV", "IFS", "PS4", "CDPATH", "GLOBIGNORE",
    // glibc: character conversion modules, locales, message catalogs, allocator, resolver.
    "GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH", "NLSPATH", "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "MALLOC_CHECK_",
    // TLS libraries and CA bundles (OpenSSL, GnuTLS, requests, curl).
    "SSLKEYLOGFILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "GNUTLS_SYSTEM_PRIORITY_FILE",
    // Proxies: requests (docker-py) and curl honour them.
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
];
const platformEnvPrefixes = [
    "LC_", "LD_", "DOCKER_", "COMPOSE_", "HA_WEB_", "BASH_", "PYTHON", "OPENSSL_", "SSL_", "MALLOC_", "XDG_",
];
/**
 * Declared with the same values in Pulumi.yaml (settings.test.ts keeps them equal). 512 MB per
 * container: two colours run side by side during a switch, beside nginx (~130 MB at worst) and the
 * OS, on a t3.small's 2 GiB. 256 processes and threads: far above what a web app starts (the
 * sample: ~11 threads), far below a fork bomb's reach.
 */
export const appDefaults = {
    appDir: "app", appHealthPath: "/health", appMigrateCommand: "node dist/tools/migrate.js", appMemoryMb: 512, appPidsLimit: 256,
    appMaxRequestBodyKb: 64,
} as const;

/** Request bodies above this wait in nginx's temporary files on the host's disk, one per slow client at most. */
const mostRequestBodyKb = 100 * 1024;

const envName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A path nginx can match literally (`location = <path>`): no spaces, quotes, `;` or braces. */
const urlPath = /^\/[A-Za-z0-9._~/-]{0,254}$/;

interface AppConfigSource {
    get(key: string): string | undefined;
    secretMapShape(key: string): SecretMapShape;
}

/**
 * `ownImage`: a prebuilt image (appImage) is set. Then, as with an appDir of one's own, the
 * sample's migration command is no default: it would run `node` in an image that may have none.
 */
export function readAppSettings(source: AppConfigSource, problems: string[], ownImage = false): AppSettings {
    const dir = source.get("appDir") ?? appDefaults.appDir;
    const healthPath = source.get("appHealthPath") ?? appDefaults.appHealthPath;
    // Not /ping: that is the load balancer's check, which must not depend on the database.
    if (!urlPath.test(healthPath) || healthPath === "/" || healthPath === "/ping") {
        problems.push(`appHealthPath must be a URL path other than / and /ping, of letters, digits and . _ ~ / -, such as /health; got ${JSON.stringify(healthPath)}`);
    }
    const env = readEnvMap(source.get("appEnv"), problems);
    const secretNames = readSecretNames(source.secretMapShape("appSecrets"), problems);
    for (const name of Object.keys(env).filter((n) => secretNames.includes(n))) {
        problems.push(`${name} is in both appEnv and appSecrets: keep it in one (appSecrets if it is a secret)`);
    }
    for (const name of secretNames.filter((n) => `${n}_FILE` in env)) {
        problems.push(`appEnv.${name}_FILE is where the platform puts appSecrets.${name} (a file the app reads): rename the setting`);
    }
    if (source.get("appMigrateCommand") === undefined && (ownImage || dir !== appDefaults.appDir)) {
        problems.push(`appMigrateCommand is required with your own ${ownImage ? "appImage" : "appDir"}: the command that migrates its schema, `
            + "such as \"python3 migrate.py\", or \"\" for none (the default is the sample app's, which runs node)");
    }
    const migrateCommand = source.get("appMigrateCommand") ?? appDefaults.appMigrateCommand;
    if (/[\r\n]/.test(migrateCommand)) {
        problems.push("appMigrateCommand must be one line (it runs as sh -c '<command>'; chain commands with &&)");
    }
    const canary = readCanarySettings((key) => source.get(key), problems);
    const limits = {
        memoryMb: readWholeNumber(source, "appMemoryMb", appDefaults.appMemoryMb, 64, problems),
        pids: readWholeNumber(source, "appPidsLimit", appDefaults.appPidsLimit, 16, problems),
    };
    const maxRequestBodyKb = readWholeNumber(source, "appMaxRequestBodyKb", appDefaults.appMaxRequestBodyKb, 1, problems, mostRequestBodyKb);
    return { dir, healthPath, env, secretNames, migrateCommand: migrateCommand.trim() === "" ? undefined : migrateCommand, canary, limits, maxRequestBodyKb };
}

/** A whole number from `least` (below it the app could not start) to `most`, or the default when unset. */
function readWholeNumber(source: AppConfigSource, key: string, fallback: number, least: number, problems: string[], most = Infinity): number {
    const raw = source.get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < least || value > most) {
        const range = most === Infinity ? `of at least ${least}` : `from ${least} to ${most}`;
        problems.push(`${key} must be a whole number ${range}, such as ${fallback}; got ${JSON.stringify(raw)}`);
        return fallback;
    }
    return value;
}

/** appEnv: a map of names to one-line text (numbers and booleans as their text). */
function readEnvMap(raw: string | undefined, problems: string[]): Record<string, string> {
    if (raw === undefined) return {};
    const parsed = parseMap(raw);
    if (!parsed) {
        problems.push(`appEnv must be a map of names to values: pulumi config set --path 'appEnv.GREETING' hello, got ${JSON.stringify(raw)}`);
        return {};
    }
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
        const nameProblem = envNameProblem("appEnv", name);
        const kind = valueKind(value);
        if (nameProblem) {
            problems.push(nameProblem);
        } else if (kind === "not text") {
            problems.push(`appEnv.${name} must be text, a number or true/false, got ${JSON.stringify(value)}`);
        } else if (kind === "multi-line") {
            problems.push(`appEnv.${name} must be one line (the env file holds one NAME=value per line): base64-encode multi-line values`);
        } else {
            env[name] = String(value);
        }
    }
    return env;
}

function readSecretNames(shape: SecretMapShape, problems: string[]): string[] {
    if (shape === undefined) return [];
    if (shape === "not a map") {
        problems.push("appSecrets must be a map of names to secret values: pulumi config set --secret --path 'appSecrets.API_KEY' <value>");
        return [];
    }
    const names: string[] = [];
    for (const { name, value, plainText } of shape.entries) {
        const nameProblem = envNameProblem("appSecrets", name);
        if (nameProblem) problems.push(nameProblem);
        else if (plainText) problems.push(`appSecrets.${name} is stored in plain text: set it again as a secret, pulumi config set --secret --path 'appSecrets.${name}' <value>`);
        else if (value === "not text") problems.push(`appSecrets.${name} must be text, a number or true/false (its value is not shown)`);
        else if (value === "multi-line") problems.push(`appSecrets.${name} must be one line (its value is not shown): base64-encode multi-line values`);
        else names.push(name);
    }
    return names;
}

function envNameProblem(key: string, name: string): string | undefined {
    if (!envName.test(name)) {
        return `${key}: ${JSON.stringify(name)} is not a usable environment variable name (letters, digits and _, not starting with a digit)`;
    }
    const upper = name.toUpperCase();
    if (platformEnvNames.includes(upper) || platformEnvPrefixes.some((p) => upper.startsWith(p))) {
        return `${key}: ${name} is set by the platform (${platformEnvNames.join(", ")}, and names starting ${platformEnvPrefixes.join(", ")}): pick another name`;
    }
    return undefined;
}

/**
 * The shape of a secret map given as JSON text (the stack's or the local settings file's); values
 * never leave. `storedInPlainText` says which entries are not encrypted where they are kept.
 */
export function secretMapShapeOf(raw: string | undefined, storedInPlainText: (name: string) => boolean = () => false): SecretMapShape {
    if (raw === undefined) return undefined;
    const parsed = parseMap(raw);
    if (!parsed) return "not a map";
    return {
        entries: Object.entries(parsed).map(([name, value]) => ({ name, value: valueKind(value), plainText: storedInPlainText(name) })),
    };
}

/** A JSON object (config maps arrive as JSON text), or undefined for anything else. */
function parseMap(raw: string): Record<string, unknown> | undefined {
    try {
        const parsed: unknown = JSON.parse(raw);
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
    } catch {
        return undefined;
    }
}

/** Whether a value can go in the env file: one line, NAME=value, no NUL. */
function valueKind(value: unknown): ValueKind {
    if (!["string", "number", "boolean"].includes(typeof value)) return "not text";
    return /[\r\n\0]/.test(String(value)) ? "multi-line" : "ok";
}
