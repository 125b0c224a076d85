/**
 * Elastic IPs a first `up` and a full roll need, against AWS's default quota of 5 per region
 * (Amazon VPC User Guide, Elastic IP address quotas; Service Quotas code L-0263D0A3). Each host
 * has one; a replaced host gets its new address before the old one is released, and the old ones
 * go only at the end of the update (components/webTier.ts: replaceOnChanges, create before
 * delete), so a roll of every host holds two per host.
 */
const defaultElasticIpQuota = 5;

function elasticIpsDuringRoll(hostCount: number): number {
    return 2 * hostCount;
}

/** The preview's warning when a roll of every host would exceed the default quota, or undefined. */
export function elasticIpQuotaWarning(hostCount: number, quota = defaultElasticIpQuota): string | undefined {
    const needed = elasticIpsDuringRoll(hostCount);
    if (needed <= quota) {
        return undefined;
    }
    return `hostCount ${hostCount} needs up to ${needed} Elastic IPs while every host is replaced (a new AMI or instance type): `
        + `each new host gets its address before the old one is released. The default quota is ${quota} per region, `
        + "and any other Elastic IP in the region counts too. Ask for more before such a change (Service Quotas: "
        + "aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value "
        + `${needed}), or lower hostCount.`;
}
