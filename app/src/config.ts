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
 * Reads and validates the configuration. Collects every problem and throws one error that lists
 * them all, so an operator fixes the environment in one pass. Password values never appear in it.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
    const problems: string[] = [];

    const required = (name: string): string => {
        const value = env[name];
        if (value === undefined || value.trim() === "") {
            problems.push(`${name} is required`);
            return "";
        }
        return value;
    };
    const integer = (name: string, fallback: number | undefined, min: number, max: number): number => {
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
    };

    const flag = (name: string): boolean => {
        const raw = env[name];
        if (raw === undefined || raw === "" || raw === "false") return false;
        if (raw !== "true") problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
        return raw === "true";
    };

    const config: Config = {
        port: integer("PORT", undefined, 1, 65535),
        host: env.HOST || "0.0.0.0",
        version: required("APP_VERSION"),
        database: {
            host: required("DB_HOST"),
            port: integer("DB_PORT", 3306, 1, 65535),
            name: required("DB_NAME"),
            user: required("DB_USER"),
            password: readPassword(env, problems),
            tlsCa: readTlsCa(env, problems),
        },
        sharedDir: required("SHARED_DIR"),
        shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", 15_000, 1, stopGracePeriodMs - 1),
        logRequests: flag("LOG_REQUESTS"),
    };
    if (problems.length > 0) {
        throw new Error(`Invalid configuration:\n${problems.map((problem) => ` - ${problem}`).join("\n")}`);
    }
    return config;
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
