import { deregistrationDelaySeconds, detectionWindowSeconds, rejoinWindowSeconds } from "./healthCheck";
import { diskUseTiming } from "./diskUse";
import { buildCacheHours, keptReleases } from "./hostConfigFiles";
import { inServiceTimeoutSeconds } from "./membershipScripts";
import { nginxReload } from "./nginxReload";
import { settingCosts } from "./rdsChanges";
import { defaults } from "./settings";
import { stepTimeoutSeconds } from "./stepScripts";

/**
 * The tables of docs/day-2-changes.md, from the values the program uses (health-check windows, step
 * bounds, the RDS cost table), so the page never states a number the code does not hold.
 * tests/unit/dayTwoChanges.test.ts checks the page holds exactly these.
 */
export function dayTwoChangesTable(): string {
    const rows: string[][] = [
        ["a release (`app/` changed, or a new `appImage` digest)", "nothing: every host builds or pulls the image (host after host), the migration runs once, then each host switches colours alone", "one build or pull per host, then one rollout per host", "`pulumi up` output: `build-image`, `migrate`, `rollout` per host; the health gate last"],
        ["`release` set to a new label, or to an older one (a rollback)", "nothing: the image is built once on the deployer's machine into ECR (an older label: taken as built), every host pulls it by digest and checks its image id, the first host judges it as the canary, then the others roll", "one pull per host, then one rollout per host (the canary window on the first)", "`release-publish` in the `pulumi up` output; `build-image` (the pull) and `rollout` per host; see [releases.md](releases.md)"],
        ["`dbPassword`", "nothing: the new password is added beside the old one, each host rolls out with it, then the old one is discarded (drill 15)", "one rollout per host", "`create-app-db` says \"new password added\"; `discard-old-db-password` runs last, on the first host"],
        ["adding a domain (`domainName`, `hostedZoneId`)", "nothing: HTTP keeps forwarding until the HTTPS listener exists and the health gate saw every host through it; only then does HTTP redirect (removing the domain makes HTTP forward again before the gate checks it)", "ACM's DNS validation (usually minutes), then the gate", "`CertificateValidation`; if it never completes, `pulumi up` fails there after 75 minutes (terraform-provider-aws acm/certificate_validation.go) and the site stays up on HTTP"],
        ["`amiId`, `instanceType` (each host replaced)", "nothing: a new host (with a new host key) joins before its old one is drained and deleted, one host at a time", `per host: boot and set-up, in service within ${inServiceTimeoutSeconds} s, old host drained ${detectionWindowSeconds() + deregistrationDelaySeconds} s`, "the gate counts instances (`X-Served-By-Instance`), so an old host cannot pass for its replacement"],
        ["nginx configuration (`files/nginx*.conf`, `appMaxRequestBodyKb`, `appHealthPath`)", "nothing: each host, alone, closes its connections after each response for a moment, then reloads nginx, staying in service (drill 30)", `per host ${nginxReload.closeSeconds} s and the reload (drill 30 asserts at most 5 s for the whole step); the first change after upgrading from a site without the close flag drains once: up to ${detectionWindowSeconds()} s, then about ${rejoinWindowSeconds()} s until the load balancer's checks pass again`, "`apply-config` per host: its log says `reloaded nginx in service in N s`"],
        ["`hostCount` down", "nothing: the removed host is drained, then deleted", `${detectionWindowSeconds() + deregistrationDelaySeconds} s`, "`in-service-host-x` delete"],
        ["`sshAllowedCidrs`", "nothing (security-group rules only)", "seconds", "-"],
        ["`dbInstanceClass`, `dbEngineVersion`", "the database goes away (see the RDS table below); `/` and `/ping` keep answering, writes fail fast with 503", "see below", "the preview's warning; RDS events in the console"],
        ["EFS `encrypted`, `performanceMode`", "refused: the file system is protected, `pulumi up` fails before changing anything", "-", "see \"Moving to a new file system\" below"],
    ];
    return markdownTable(["change", "what the site sees", "how long", "what to watch"], rows);
}

/** What each RDS setting's change costs, with the Amazon RDS User Guide section it comes from. */
export function rdsChangesTable(): string {
    return markdownTable(["setting", "restarts the database", "what it costs", "source"],
        settingCosts.map((c) => [`\`${c.key}\``, c.outage ? "yes" : "no", c.cost, c.source]));
}

/** How long the host lets one step run. */
export function stepBoundText(): string {
    return `Every host step runs under \`timeout\` on the host: ${stepTimeoutSeconds / 60} minutes, then SIGTERM to the step and everything it started, SIGKILL 30 s later.`;
}

/** What keeps a host's root disk from filling release by release, and what pages when it fills anyway. */
export function diskText(): string {
    return `After each deploy, \`ha-web-deploy\` keeps the last ${keptReleases} images it deployed on the host (and any image a container `
        + `uses), removes the app's older images, and removes build cache unused for ${buildCacheHours} hours. `
        + `Every host publishes its disk use every ${diskUseTiming.periodSeconds} s (\`ha-web-disk-use\`, a systemd timer), and \`host-<x>-disk-use\` `
        + `pages after ${(diskUseTiming.periodSeconds * diskUseTiming.evaluationPeriods) / 60} minutes above \`alarmDiskUsedPercent\` (default ${defaults.alarmDiskUsedPercent}%).`;
}

function markdownTable(header: string[], rows: string[][]): string {
    return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
