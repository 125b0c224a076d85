import { appNetworkTarget, AppNetworkTarget } from "../../components/plan/appNetwork";
import { mustRun, run } from "../run";

/**
 * The hosts' app network rules (ha-web-app-network) are in this machine's kernel: the local hosts
 * share its network, so every host's unit put the same chain there. Removed by whoever brought
 * them up (`down`, a test's clean-up): every jump to the chain, then the chain, in both families.
 */
export async function removeAppNetwork(target: AppNetworkTarget = appNetworkTarget): Promise<void> {
    const jump = ["OUTPUT", "-m", "owner", "--uid-owner", String(target.uid), "-j", target.chain];
    for (const iptables of ["iptables", "ip6tables"]) {
        while ((await run(iptables, ["-w", "-D", ...jump])).code === 0) { /* every copy */ }
        await run(iptables, ["-w", "-F", target.chain]);
        await run(iptables, ["-w", "-X", target.chain]);
    }
}

/** The rules that name the chain now, in both families (none after `down` or a test). */
export async function appNetworkRules(target: AppNetworkTarget = appNetworkTarget): Promise<string[]> {
    const rules: string[] = [];
    for (const iptables of ["iptables", "ip6tables"]) {
        rules.push(...(await mustRun(iptables, ["-w", "-S"])).split("\n").filter((line) => line.includes(target.chain)));
    }
    return rules;
}
