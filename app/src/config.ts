import * as fs from "fs";

/** Everything the service needs, read once from the environment at start-up. */
export interface Config {
    port: number;
    host: string;
    version: string;
    database: DatabaseConfig;
    sharedDir: string;
    shutdownTimeoutMs: number;
    /** LOG_REQUESTS=true: one JSON line per request (nginx's access log has them anyway). */
    logRequests: boolean;
}

export interface DatabaseConfig {
    host: string;
    port: number;
    name: string;
    user: string;
    password: string;
    /** PEM of the CA that signed the server's certificate: when set, connections use verified TLS. */
    tlsCa?: string;
}

/** Docker Compose kills the container 20 s after SIGTERM (stop_grace_period); draining must end first. */
const stopGracePeriodMs = 20_000;

/**
 * Reads and validates the service's configuration. Collects every problem and throws one error that
 * lists them all, so an operator fixes the environment in one pass. Password values never appear in it.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
    return validated(env, (read) => ({
        port: read.integer("PORT", undefined, 1, 65535),
        host: env.HOST || "0.0.0.0",
        version: read.required("APP_VERSION"),
        database: readDatabase(read),
        sharedDir: read.required("SHARED_DIR"),
        shutdownTimeoutMs: read.integer("SHUTDOWN_TIMEOUT_MS", 15_000, 1, stopGracePeriodMs - 1),
        logRequests: read.flag("LOG_REQUESTS"),
    }));
}

/**
 * The database settings alone (DB_*), for tools that run with the app's environment but serve
 * nothing (the migration tool): PORT and SHARED_DIR are not theirs to require.
 */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
    return validated(env, readDatabase);
}

/** Typed readers over the environment; each records what is wrong instead of throwing. */
interface EnvReader {
    env: NodeJS.ProcessEnv;
    problems: string[];
    required(name: string): string;
    integer(name: string, fallback: number | undefined, min: number, max: number): number;
    flag(name: string): boolean;
}

function validated<T>(env: NodeJS.ProcessEnv, read: (reader: EnvReader) => T): T {
    const problems: string[] = [];
    const value = read(envReader(env, problems));
    if (problems.length > 0) {
        throw new Error(`Invalid configuration:\n${problems.map((problem) => ` - ${problem}`).join("\n")}`);
    }
    return value;
}

function envReader(env: NodeJS.ProcessEnv, problems: string[]): EnvReader {
    return {
        env,
        problems,
        required(name) {
            const value = env[name];
            if (value === undefined || value.trim() === "") {
                problems.push(`${name} is required`);
                return "";
            }
            return value;
        },
        integer(name, fallback, min, max) {
            const raw = env[name];
            if (raw === undefined || raw === "") {
                if (fallback === undefined) problems.push(`${name} is required (an integer ${min}-${max})`);
                return fallback ?? 0;
            }
            const value = Number(raw);
            if (!/^\d+$/.test(raw) || value < min || value > max) {
                problems.push(`${name} must be an integer ${min}-${max}, got ${JSON.stringify(raw)}`);
            }
            return value;
        },
        flag(name) {
            const raw = env[name];
            if (raw === undefined || raw === "" || raw === "false") return false;
            if (raw !== "true") problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
            return raw === "true";
        },
    };
}

function readDatabase(read: EnvReader): DatabaseConfig {
    return {
        host: read.required("DB_HOST"),
        port: read.integer("DB_PORT", 3306, 1, 65535),
        name: read.required("DB_NAME"),
        user: read.required("DB_USER"),
        password: readPassword(read.env, read.problems),
        tlsCa: readTlsCa(read.env, read.problems),
    };
}

/**
 * DB_TLS_CA_BASE64: the database server's CA bundle, base64 on one line (env files take no
 * multi-line values). Unset means plain TCP (the local stand-in); RDS requires TLS.
 */
function readTlsCa(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
    const encoded = env.DB_TLS_CA_BASE64;
    if (!encoded) return undefined;
    const pem = Buffer.from(encoded, "base64").toString("utf8");
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push("DB_TLS_CA_BASE64 must be a base64-encoded PEM certificate bundle");
    }
    return pem;
}

/** DB_PASSWORD_FILE (a mounted secret) wins over DB_PASSWORD, so the secret can stay out of `docker inspect`. */
function readPassword(env: NodeJS.ProcessEnv, problems: string[]): string {
    const file = env.DB_PASSWORD_FILE;
    if (file) {
        try {
            const password = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
            if (password === "") problems.push(`DB_PASSWORD_FILE ${file} is empty`);
            return password;
        } catch (error) {
            problems.push(`DB_PASSWORD_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
            return "";
        }
    }
    if (!env.DB_PASSWORD) problems.push("DB_PASSWORD or DB_PASSWORD_FILE is required");
    return env.DB_PASSWORD ?? "";
}
