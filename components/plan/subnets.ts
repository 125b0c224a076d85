import { formatCidr, parseCidr, subnet } from "./cidr";

export interface SubnetSpec {
    az: string;
    tier: "public" | "private";
    cidr: string;
}

/**
 * Carves the VPC into 16 equal blocks: public subnets take blocks 0..n-1 (hosts and the load
 * balancer), private subnets blocks 8..8+n-1 (EFS mount targets and the database). Fixed slots keep
 * existing subnets where they are when an AZ is added later.
 */
export function planSubnets(vpcCidr: string, azs: string[]): SubnetSpec[] {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) {
        throw new Error(`vpcCidr ${vpcCidr} is not a network CIDR`);
    }
    if (azs.length > 8) {
        throw new Error(`at most 8 availability zones are supported, got ${azs.length}`);
    }
    return azs.flatMap((az, i): SubnetSpec[] => [
        { az, tier: "public", cidr: formatCidr(subnet(vpc, 4, i)) },
        { az, tier: "private", cidr: formatCidr(subnet(vpc, 4, 8 + i)) },
    ]);
}

/** Host i goes to AZ i mod n: consecutive hosts never share an AZ. */
export function hostAzIndex(hostIndex: number, azCount: number): number {
    return hostIndex % azCount;
}

/** Host names are stable and short, used in resource names and as the compose project prefix. */
export function hostName(hostIndex: number): string {
    return `host-${String.fromCharCode("a".charCodeAt(0) + hostIndex)}`;
}
