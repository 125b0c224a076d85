import { cutDatabase, cutHost, healDatabase, healHost, slowHost } from "./faults/faults";
import { parseDelayMs } from "./faults/faultPlan";
import { down, deploy, drainHost, restartHost, startHostAgain, stopHost, undrainHost, up } from "./stack";
import { printStatus } from "./status";

/**
 * `npm run local:<command>`: the local HA stack on this machine. Every command is idempotent and
 * prints what it does, on which host, and how long it took.
 */
const usage = `usage: cli.ts <command>
  up                               build what is missing, start everything, roll out the current release
  deploy --version <label> [--broken]  roll a release out host after host
  stop-host <host> | start-host <host>      hard stop / start
  restart-host <host>              reboot: everything on the host stops and comes back by itself
  drain-host <host> | undrain-host <host>   graceful maintenance
  cut-host <host>                  the host's packets are dropped (power loss, as the ALB sees it)
  slow-host <host> <ms>            the host answers <ms> late
  heal-host <host>                 removes either fault
  cut-database | heal-database     the database's packets are dropped (it keeps running) / pass again
  status                           hosts, versions, health
  down                             remove everything the stack started`;

async function main(args: string[]): Promise<void> {
    const [command, ...rest] = args;
    switch (command) {
        case "up": await up(); return;
        case "deploy": {
            const versionAt = rest.indexOf("--version");
            const label = versionAt >= 0 ? rest[versionAt + 1] : undefined;
            if (!label || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(label)) {
                throw new Error("deploy needs --version <label> (letters, digits, . _ -)");
            }
            await deploy(label, rest.includes("--broken"));
            return;
        }
        case "stop-host": await stopHost(hostArgument(rest)); return;
        case "start-host": await startHostAgain(hostArgument(rest)); return;
        case "restart-host": await restartHost(hostArgument(rest)); return;
        case "drain-host": await drainHost(hostArgument(rest)); return;
        case "undrain-host": await undrainHost(hostArgument(rest)); return;
        case "cut-host": await cutHost(hostArgument(rest)); return;
        case "slow-host": await slowHost(hostArgument(rest), parseDelayMs(rest[1])); return;
        case "heal-host": await healHost(hostArgument(rest)); return;
        case "cut-database": await cutDatabase(); return;
        case "heal-database": await healDatabase(); return;
        case "status": await printStatus(); return;
        case "down": await down(); return;
        default: throw new Error(usage);
    }
}

function hostArgument(rest: string[]): string {
    if (!rest[0]) throw new Error("which host? e.g. host-a");
    return rest[0];
}

main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`\n${error.message}`);
    process.exit(1);
});
