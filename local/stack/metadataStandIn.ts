import { metadataGuardRule } from "../../components/plan/hostConfigFiles";
import { run } from "../run";

/**
 * The local stack's instance metadata address: on loopback (nothing here ever sends to EC2's
 * 169.254.169.254), guarded by the same rule as on EC2 (ha-web-metadata-guard.service). The local
 * hosts share this machine's network, so the rule their unit adds is in this machine's kernel and
 * removed again by whoever brought them up (`down`, a test's clean-up).
 */
export const metadataStandInAddress = "127.0.169.254";

/** Removes every copy of the guard rule for `address` (each host's unit adds it once); nothing when none is there. */
export async function removeMetadataGuard(address = metadataStandInAddress): Promise<void> {
    const rule = metadataGuardRule(address).split(" ");
    while ((await run("iptables", ["-w", "-D", "OUTPUT", ...rule])).code === 0) { /* every copy */ }
}
