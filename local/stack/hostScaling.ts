import { detectionWindowSeconds, healthCheck } from "../../components/plan/healthCheck";
import { retireCommandLine } from "../../components/plan/membershipScripts";
import { timed } from "../progress";
import { containerExists } from "./containers";
import { runOnHost } from "./hostAccess";
import { removeHost } from "./hosts";
import { targetRequestsInFlight, waitForTarget } from "./loadBalancerStack";
import { hostNames, hostSlots } from "./stackHosts";
import { hostContainer } from "./stackLayout";
import { forgetMachine } from "./machines";
import { forgetHostSteps } from "../executor/stepExecutor";

/**
 * Hosts that still run but are no longer wanted (hostCount lowered in local.settings.json), in slot
 * order. On AWS `pulumi up` deletes them; here `up` retires them (retireSurplusHosts).
 */
export async function surplusHosts(): Promise<string[]> {
    const wanted = hostNames();
    return (await presentHosts()).filter((host) => !wanted.includes(host));
}

/** Every slot whose host container exists, wanted or not (what `down` removes). */
export async function presentHosts(): Promise<string[]> {
    const present = await Promise.all(hostSlots.map(async (host) => (await containerExists(hostContainer(host))) ? host : undefined));
    return present.filter((host): host is string => host !== undefined);
}

/**
 * Removes each surplus host the way `pulumi up` deletes one (components/serviceMembership.ts): the
 * host runs its own retire-host script (ha-web-drain, then the deregistration delay for requests in
 * flight), the load balancer has marked it DOWN and has no request of it in flight, and only then
 * is the machine removed, with its recorded steps and machine (a later scale-up launches a new one,
 * as a new instance). One host at a time, as the membership commands on AWS are chained.
 */
export async function retireSurplusHosts(): Promise<void> {
    for (const host of await surplusHosts()) {
        await timed(`${host}: retire (drain, deregistration delay), then remove`, async () => {
            await runOnHost(host, retireCommandLine());
            await waitForTarget(host, "DOWN", detectionWindowSeconds() + healthCheck.intervalSeconds);
            const inFlight = (await targetRequestsInFlight()).get(host) ?? 0;
            if (inFlight > 0) {
                throw new Error(`${host} still serves ${inFlight} requests after its drain and the deregistration delay: not removed. `
                    + "Look for a request that hangs (its app's logs), then run up again");
            }
            await removeHost(host);
            forgetHostSteps(host);
            forgetMachine(host);
        });
    }
}
