import { cutDatabase, cutHost, healDatabase, healHost, slowHost } from "./faults/faults";
import { Invocation, UsageError } from "./commandLine/commands";
import { parseCommandLine } from "./commandLine/parse";
import { Interrupted } from "./executor/interrupt";
import { printReleases } from "./releases/release";
import { down, deploy, drainHost, restartHost, rollback, startHostAgain, stopHost, undrainHost, up } from "./stack/stack";
import { failoverDatabase } from "./stack/databaseFailover";
import { printStatus } from "./stack/status";

/**
 * `npx ha-web <command>` (package.json's bin, bin/ha-web.js) and its aliases `npm run
 * local:<command>`: the local HA stack on this machine. The command line is read in
 * commandLine/parse.ts; every command is idempotent and prints what it does, on which host, and
 * how long it took.
 */
async function run(invocation: Invocation): Promise<void> {
    switch (invocation.command) {
        case "help": console.log(invocation.text); return;
        case "up": await up(); return;
        case "deploy": await deploy(invocation.label, invocation.broken); return;
        case "rollback": await rollback(invocation.label); return;
        case "releases": await printReleases(); return;
        case "stop-host": await stopHost(invocation.host); return;
        case "start-host": await startHostAgain(invocation.host); return;
        case "restart-host": await restartHost(invocation.host); return;
        case "drain-host": await drainHost(invocation.host); return;
        case "undrain-host": await undrainHost(invocation.host); return;
        case "cut-host": await cutHost(invocation.host); return;
        case "slow-host": await slowHost(invocation.host, invocation.delayMs); return;
        case "heal-host": await healHost(invocation.host); return;
        case "cut-database": await cutDatabase(); return;
        case "heal-database": await healDatabase(); return;
        case "failover-database": await failoverDatabase(invocation.seconds); await printStatus(); return;
        case "status": await printStatus(); return;
        case "down": await down(); return;
    }
}

/** Exit codes: 2 for a command line refused, 130/143 for Ctrl-C/SIGTERM, 1 for any other failure. */
function exitCode(error: Error): number {
    if (error instanceof UsageError) return 2;
    return error instanceof Interrupted ? error.exitCode : 1;
}

Promise.resolve()
    .then(() => run(parseCommandLine(process.argv.slice(2), process.env)))
    .catch((error: Error) => {
        // A refused command line is one message; a failure follows progress lines, so a blank line first.
        console.error(error instanceof UsageError ? error.message : `\n${error.message}`);
        process.exit(exitCode(error));
    });
