import { cutDatabase, cutHost, healDatabase, healHost, slowHost } from "./faults/faults";
import { parseDelayMs } from "./faults/faultPlan";
import { parseDeployArgs, parseRollbackArgs } from "./releases/deployArgs";
import { Interrupted } from "./executor/interrupt";
import { printReleases } from "./releases/release";
import { down, deploy, drainHost, restartHost, rollback, startHostAgain, stopHost, undrainHost, up } from "./stack/stack";
import { printStatus } from "./stack/status";

/**
 * `npm run local:<command>`: the local HA stack on this machine. Every command is idempotent and
 * prints what it does, on which host, and how long it took.
 */
const usage = `usage: npm run local:<command> [words]   (npm keeps flags before \`--\` for itself: type words)
  up                               build what is missing, start everything, roll out the current release
                                   (on a new stack: the app tree, as release v1)
  deploy <label> [broken]          the app tree as it is now, as release <label>, host after host; a label
                                   that names other content is refused; broken: the drills' never-healthy build
                                   (also: deploy -- --version <label> --broken)
  rollback <label>                 a release recorded earlier, whose image still exists, host after host
  releases                         each release: label, content hash, image, when built, which hosts serve it
  stop-host <host> | start-host <host>      hard stop / start (start waits until it is back in rotation)
  restart-host <host>              reboot: everything on the host stops and comes back by itself
  drain-host <host> | undrain-host <host>   graceful maintenance
  cut-host <host>                  the host's packets are dropped (power loss, as the ALB sees it)
  slow-host <host> <ms>            the host answers <ms> late
  heal-host <host>                 removes either fault
  cut-database | heal-database     the database's packets are dropped (it keeps running) / pass again
  status                           hosts, versions, health; warns when hosts serve different releases
  down                             remove everything the stack started`;

async function main(args: string[]): Promise<void> {
    const [command, ...rest] = args;
    switch (command) {
        case "up": await up(); return;
        case "deploy": {
            const request = parseDeployArgs(rest, process.env);
            await deploy(request.label, request.broken);
            return;
        }
        case "rollback": await rollback(parseRollbackArgs(rest)); return;
        case "releases": await printReleases(); return;
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
    process.exit(error instanceof Interrupted ? error.exitCode : 1);
});
