import { renderFile } from "./render";
import { appUid } from "./appUser";

/**
 * What the app may reach on the network. It shares the host's network (a bridge would need Docker's
 * NAT and proxy on every request, and locally a private-range address for the database), so a host
 * firewall chain for its uid stands in for the bridge: the database and DNS only (files/app-network.sh).
 */
export interface AppNetwork {
    /** Where the database's addresses lie: the VPC on AWS (RDS's address moves on a failover), the stand-ins' loopback block locally. */
    databaseCidr: string;
    databasePort: number;
}

/** The chain every packet of the app's uid goes through (in OUTPUT, IPv4 and IPv6). */
export const appNetworkChain = "HA_WEB_APP_OUT";

/** Which uid and chain: the app's on a host; a test's own elsewhere, so it never confines a real app. */
export interface AppNetworkTarget { uid: number; chain: string }

export const appNetworkTarget: AppNetworkTarget = { uid: appUid, chain: appNetworkChain };

export function renderAppNetworkScript(network: AppNetwork, target: AppNetworkTarget = appNetworkTarget): string {
    return renderFile("app-network.sh", {
        appUid: String(target.uid),
        chain: target.chain,
        databaseCidr: network.databaseCidr,
        databasePort: String(network.databasePort),
    });
}

export function renderAppNetworkUnit(appNetworkCommand: string): string {
    return renderFile("ha-web-app-network.service", { appNetworkCommand });
}
