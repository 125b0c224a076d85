/**
 * How long the endpoint's name takes to move after the primary is lost. RDS documents 60-120 s for a
 * Multi-AZ instance failover; `local:failover-database` takes the middle, the drills a short value.
 */
export const defaultFailoverSeconds = 90;

/** What is wrong with `--seconds <s>` of failover-database, or undefined for a whole number from 1 to 600. */
export function failoverSecondsProblem(text: string): string | undefined {
    const seconds = Number(text);
    if (!/^\d+$/.test(text) || seconds < 1 || seconds > 600) {
        return `needs --seconds in whole seconds from 1 to 600 (RDS takes 60-120), got "${text}"`;
    }
    return undefined;
}
