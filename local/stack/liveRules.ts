import { liveChain } from "../../components/plan/liveSwitch";
import { mustRun, run } from "../run";

/**
 * The kernel rules ha-web-live leaves in this machine's nat table: local hosts (and the tests'
 * nginx hosts) share this machine's network, so their live-port chains live here too and must be
 * removed again by whoever made them (`down`, a test's clean-up).
 */
// What every host's chain name starts with, spelled once in liveSwitch.ts (HA_WEB_LIVE_<host>).
const livePrefix = liveChain("");

/** Removes one live-port chain and the jump to it; nothing when it is not there. */
export async function removeLiveChain(chain: string): Promise<void> {
    if (!chain.startsWith(livePrefix)) throw new Error(`${chain} is not a live-port chain`);
    while ((await run("iptables", ["-w", "-t", "nat", "-D", "OUTPUT", "-o", "lo", "-j", chain])).code === 0) { /* every jump */ }
    await run("iptables", ["-w", "-t", "nat", "-F", chain]);
    await run("iptables", ["-w", "-t", "nat", "-X", chain]);
}

/**
 * The live-port chains present now (none after `down` or a test). Throws when iptables cannot
 * list the table: "no chains" must mean none were found, not that nobody could look.
 */
export async function liveChains(): Promise<string[]> {
    const rules = await mustRun("iptables", ["-w", "-t", "nat", "-S"]);
    return rules.split("\n").filter((l) => l.startsWith(`-N ${livePrefix}`)).map((l) => l.slice(3));
}

/** The port a live-port chain leads to now (ha-web-live's REDIRECT rule), or undefined when it has none. */
export async function livePortTarget(chain: string): Promise<number | undefined> {
    const rules = await run("iptables", ["-w", "-t", "nat", "-S", chain]);
    const target = /--to-ports (\d+)/.exec(rules.stdout);
    return target ? Number(target[1]) : undefined;
}
