/** IPv4 CIDR arithmetic for planning subnets. Pure, so the plan is tested without AWS. */

export interface Cidr {
    /** Network address as an unsigned 32-bit number. */
    base: number;
    prefix: number;
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns undefined for anything that is not a valid network CIDR. */
export function parseCidr(text: string): Cidr | undefined {
    const match = cidrPattern.exec(text.trim());
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return undefined;
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        return undefined; // host bits set: "10.0.0.1/16" is an address, not a network
    }
    return { base: address, prefix };
}

export function formatCidr(cidr: Cidr): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
    return `${octets.join(".")}/${cidr.prefix}`;
}

/** The `index`-th subnet of `parent` that is `newBits` longer, e.g. (10.0.0.0/16, 4, 1) -> 10.0.16.0/20. */
export function subnet(parent: Cidr, newBits: number, index: number): Cidr {
    const prefix = parent.prefix + newBits;
    if (prefix > 28) {
        throw new Error(`subnet /${prefix} of ${formatCidr(parent)} is smaller than AWS allows (/28)`);
    }
    if (index < 0 || index >= 2 ** newBits) {
        throw new Error(`${formatCidr(parent)} has no subnet #${index} of size /${prefix}`);
    }
    return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}

/**
 * The CIDRs that open SSH to a share of the internet no one means for one operator: any block
 * larger than a /8 (16.7 million addresses). `0.0.0.0/0` is one; so are `0.0.0.0/1` + `128.0.0.0/1`,
 * which together are the whole internet without saying so.
 */
export function internetWideCidrs(cidrs: string[]): string[] {
    return cidrs.filter((text) => (parseCidr(text)?.prefix ?? 32) < 8);
}
