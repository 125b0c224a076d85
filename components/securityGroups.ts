import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { egressRules, ingressRules, Peer, ruleName, Tier } from "./plan/firewall";

export interface SecurityGroupsArgs {
    vpcId: pulumi.Input<string>;
    sshAllowedCidrs: string[];
    https: boolean;
    /** The port nginx listens on, behind the load balancer. */
    hostPort: number;
    tags: Record<string, string>;
}

const tiers: Tier[] = ["lb", "hosts", "efs", "db"];

/** One security group per tier, rules from `plan/firewall.ts`, each rule its own resource. */
export class SecurityGroups extends pulumi.ComponentResource {
    public readonly ids: Record<Tier, pulumi.Output<string>>;

    constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:network:SecurityGroups", name, {}, opts);
        const parent = { parent: this };

        const groups = Object.fromEntries(tiers.map((tier) => [tier, new aws.ec2.SecurityGroup(`${name}-${tier}`, {
            vpcId: args.vpcId,
            description: `ha-web ${tier}`,
            tags: { ...args.tags, Name: `${name}-${tier}` },
        }, parent)])) as Record<Tier, aws.ec2.SecurityGroup>;
        this.ids = Object.fromEntries(tiers.map((tier) => [tier, groups[tier].id])) as Record<Tier, pulumi.Output<string>>;

        const peer = (p: Peer) => ("cidr" in p ? { cidrIpv4: p.cidr } : { referencedSecurityGroupId: this.ids[p.tier] });
        for (const rule of ingressRules(args)) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-${ruleName("in", rule.tier, rule.port, rule.from)}`, {
                securityGroupId: this.ids[rule.tier],
                ipProtocol: "tcp",
                fromPort: rule.port,
                toPort: rule.port,
                description: rule.description,
                ...peer(rule.from),
            }, parent);
        }
        for (const rule of egressRules(args)) {
            new aws.vpc.SecurityGroupEgressRule(`${name}-${ruleName("out", rule.tier, rule.port, rule.to)}`, {
                securityGroupId: this.ids[rule.tier],
                ipProtocol: rule.port === undefined ? "-1" : "tcp",
                fromPort: rule.port,
                toPort: rule.port,
                description: rule.description,
                ...peer(rule.to),
            }, parent);
        }

        this.registerOutputs({ ids: this.ids });
    }
}
