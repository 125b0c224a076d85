/**
 * The firewall as data: which peer may reach which tier on which port. Least privilege: the
 * internet reaches only the load balancer; hosts take web traffic only from the load balancer and
 * SSH only from the configured CIDRs; EFS and MySQL take traffic only from the hosts.
 */
export type Tier = "lb" | "hosts" | "efs" | "db";

export type Peer = { cidr: string } | { tier: Tier };

/** RDS MySQL's port: the database's security group opens it to the hosts, the hosts' app firewall to the app. */
export const mysqlPort = 3306;

export interface IngressRule {
    tier: Tier;
    port: number;
    from: Peer;
    description: string;
}

export function ingressRules(args: { sshAllowedCidrs: string[]; https: boolean; hostPort: number }): IngressRule[] {
    const rules: IngressRule[] = [
        { tier: "lb", port: 80, from: { cidr: "0.0.0.0/0" }, description: "HTTP from anywhere" },
    ];
    if (args.https) {
        rules.push({ tier: "lb", port: 443, from: { cidr: "0.0.0.0/0" }, description: "HTTPS from anywhere" });
    }
    rules.push({ tier: "hosts", port: args.hostPort, from: { tier: "lb" }, description: "HTTP from the load balancer" });
    for (const cidr of args.sshAllowedCidrs) {
        rules.push({ tier: "hosts", port: 22, from: { cidr }, description: `SSH from ${cidr}` });
    }
    rules.push({ tier: "efs", port: 2049, from: { tier: "hosts" }, description: "NFS from the hosts" });
    rules.push({ tier: "db", port: mysqlPort, from: { tier: "hosts" }, description: "MySQL from the hosts" });
    return rules;
}

/**
 * Egress: the load balancer only talks to the hosts; hosts reach out freely (apt, image pulls,
 * EFS, MySQL); EFS and the database never open connections, so they get no egress at all.
 */
export interface EgressRule {
    tier: Tier;
    port?: number;
    to: Peer;
    description: string;
}

export function egressRules(args: { hostPort: number }): EgressRule[] {
    return [
        { tier: "lb", port: args.hostPort, to: { tier: "hosts" }, description: "HTTP and health checks to the hosts" },
        { tier: "hosts", to: { cidr: "0.0.0.0/0" }, description: "Anything out (packages, images, EFS, MySQL)" },
    ];
}

/** A rule's resource name from its content, so adding an SSH CIDR never renames (replaces) other rules. */
export function ruleName(direction: "in" | "out", tier: Tier, port: number | undefined, peer: Peer): string {
    const peerName = "cidr" in peer ? peer.cidr.replace(/[./]/g, "-") : peer.tier;
    return `${tier}-${direction}-${port ?? "all"}-${peerName}`;
}
