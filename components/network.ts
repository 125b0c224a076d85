import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "./plan/subnets";

export interface NetworkArgs {
    /** Availability zones to spread over (already validated against the region). */
    azs: string[];
    vpcCidr: string;
    /** Use an existing VPC and subnets instead of creating them. */
    existing?: { vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };
    tags: Record<string, string>;
}

/**
 * A dedicated VPC: public subnets (load balancer and hosts, routed to an internet gateway) and
 * private subnets (EFS mount targets and the database, no route out) in every AZ.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidr: pulumi.Output<string>;
    /** In AZ order: publicSubnetIds[i] is in azs[i] (for an existing network: as configured). */
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /**
     * What reaching the internet from a public subnet waits for: the attached gateway, its route and
     * the subnets' associations with it (empty for an existing network, whose routes exist already).
     */
    public readonly internetRoutes: pulumi.Resource[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:network:Network", name, {}, opts);
        const parent = { parent: this };

        if (args.existing) {
            const vpc = aws.ec2.getVpcOutput({ id: args.existing.vpcId }, parent);
            this.vpcId = pulumi.output(args.existing.vpcId);
            this.vpcCidr = vpc.cidrBlock;
            this.publicSubnetIds = args.existing.publicSubnetIds.map((id) => pulumi.output(id));
            this.privateSubnetIds = args.existing.privateSubnetIds.map((id) => pulumi.output(id));
            this.internetRoutes = [];
        } else {
            const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
                cidrBlock: args.vpcCidr,
                enableDnsHostnames: true, // EFS mount target names resolve only with DNS support + hostnames
                enableDnsSupport: true,
                tags: { ...args.tags, Name: `${name}-vpc` },
            }, parent);
            const gateway = new aws.ec2.InternetGateway(`${name}-igw`, {
                vpcId: vpc.id,
                tags: { ...args.tags, Name: `${name}-igw` },
            }, parent);
            const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
                tags: { ...args.tags, Name: `${name}-public` },
            }, parent);

            const specs = planSubnets(args.vpcCidr, args.azs);
            const associations: aws.ec2.RouteTableAssociation[] = [];
            const subnets = specs.map((spec) => {
                const subnetName = `${name}-${spec.tier}-${spec.az}`;
                const created = new aws.ec2.Subnet(subnetName, {
                    vpcId: vpc.id,
                    availabilityZone: spec.az,
                    cidrBlock: spec.cidr,
                    mapPublicIpOnLaunch: spec.tier === "public",
                    tags: { ...args.tags, Name: subnetName, tier: spec.tier },
                }, parent);
                if (spec.tier === "public") {
                    associations.push(new aws.ec2.RouteTableAssociation(subnetName, {
                        subnetId: created.id,
                        routeTableId: publicRoutes.id,
                    }, parent));
                }
                return { spec, id: created.id };
            });

            this.internetRoutes = [gateway, publicRoutes, ...associations];
            this.vpcId = vpc.id;
            this.vpcCidr = vpc.cidrBlock;
            this.publicSubnetIds = subnets.filter((s) => s.spec.tier === "public").map((s) => s.id);
            this.privateSubnetIds = subnets.filter((s) => s.spec.tier === "private").map((s) => s.id);
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
