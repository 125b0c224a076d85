import { createServer } from "./app";
import { Config, loadConfig } from "./config";
import { createHealth } from "./health";
import { errorFields, logEvent } from "./log";
import { createNoteStore } from "./notes";
import { drain } from "./shutdown";

/**
 * nginx keeps idle upstream connections for 60 s (upstream `keepalive_timeout` default). Node must
 * hold them longer, or it closes one just as nginx sends a request on it and nginx answers 502.
 * headersTimeout must exceed keepAliveTimeout for the same reason.
 */
const keepAliveTimeoutMs = 65_000;
const headersTimeoutMs = 66_000;

function readConfig(): Config {
    try {
        return loadConfig(process.env);
    } catch (error) {
        process.stderr.write(`ha-web app cannot start. ${(error as Error).message}\n`);
        process.exit(1);
    }
}

/**
 * Last line of defence: request handling catches its own errors, so this only fires on a bug
 * outside it. The process is then in an unknown state: log one JSON line (the stack as one escaped
 * string, never multi-line text) and exit, so Docker restarts a clean process.
 */
function exitOnUncaughtErrors(): void {
    const crash = (kind: string) => (error: unknown) => {
        logEvent("crashed", { kind, ...errorFields(error) });
        process.exit(70);
    };
    process.on("uncaughtException", crash("uncaught exception"));
    process.on("unhandledRejection", crash("unhandled rejection"));
}

function main(): void {
    exitOnUncaughtErrors();
    const config = readConfig();
    const health = createHealth(config);
    const notes = createNoteStore(config.database);
    let draining = false;

    const server = createServer({ version: config.version, health, notes, isDraining: () => draining, logRequests: config.logRequests });
    server.keepAliveTimeout = keepAliveTimeoutMs;
    server.headersTimeout = headersTimeoutMs;

    server.once("error", (error) => {
        logEvent("listen_failed", { host: config.host, port: config.port, error: error.message });
        process.exit(1);
    });
    server.listen(config.port, config.host, () => {
        logEvent("listening", { host: config.host, port: config.port, version: config.version });
    });

    const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
        if (draining) return;
        draining = true;
        logEvent("shutdown_started", { signal, timeoutMs: config.shutdownTimeoutMs });
        const outcome = await drain(server, config.shutdownTimeoutMs);
        await Promise.all([health.close(), notes.close()].map((closing) => closing.catch(() => undefined)));
        logEvent("shutdown_finished", { outcome });
        process.exit(outcome === "drained" ? 0 : 1);
    };
    process.on("SIGTERM", (signal) => void shutdown(signal));
    process.on("SIGINT", (signal) => void shutdown(signal));
}

main();
