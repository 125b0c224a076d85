import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { deregistrationDelaySeconds, healthCheck } from "./plan/healthCheck";
import { amiArchitecture } from "./plan/settings";
import { hostAzIndex, hostName } from "./plan/subnets";

export interface WebTierArgs {
    hostCount: number;
    /** Public subnets, one per AZ; host i lands in subnet i mod n. */
    publicSubnetIds: pulumi.Input<string>[];
    vpcId: pulumi.Input<string>;
    lbSecurityGroupId: pulumi.Input<string>;
    hostSecurityGroupId: pulumi.Input<string>;
    /** The port nginx listens on; the target group sends traffic and health checks there. */
    hostPort: number;
    instanceType: string;
    amiId?: string;
    /** An operator's own key; when unset a key pair is generated and its private key exported as a secret. */
    sshPublicKey?: string;
    certificateArn?: string;
    tags: Record<string, string>;
}

export interface Host {
    name: string;
    instance: aws.ec2.Instance;
    publicIp: pulumi.Output<string>;
}

/** Debian's official AMIs, published by Debian's AWS account. */
const debianOwner = "136693071363";

/**
 * The load-balanced web tier: an internet-facing ALB (HTTP, plus HTTPS when a certificate is set)
 * over `hostCount` Debian 12 instances spread round-robin over the AZs.
 */
export class WebTier extends pulumi.ComponentResource {
    public readonly hosts: Host[];
    public readonly lbDnsName: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** Set when the key pair was generated here: the only way an operator can SSH in. */
    public readonly generatedPrivateKey?: pulumi.Output<string>;

    constructor(name: string, args: WebTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:web:WebTier", name, {}, opts);
        const parent = { parent: this };

        const lb = new aws.lb.LoadBalancer(`${name}-alb`, {
            loadBalancerType: "application",
            internal: false,
            subnets: args.publicSubnetIds,
            securityGroups: [args.lbSecurityGroupId],
            idleTimeout: 60, // nginx keeps client connections 75 s, longer than this, so the ALB never reuses a closed one
            dropInvalidHeaderFields: true,
            tags: args.tags,
        }, parent);

        const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
            vpcId: args.vpcId,
            port: args.hostPort,
            protocol: "HTTP",
            targetType: "instance",
            deregistrationDelay: deregistrationDelaySeconds,
            healthCheck: {
                path: healthCheck.path,
                protocol: "HTTP",
                matcher: "200",
                interval: healthCheck.intervalSeconds,
                timeout: healthCheck.timeoutSeconds,
                healthyThreshold: healthCheck.healthyThreshold,
                unhealthyThreshold: healthCheck.unhealthyThreshold,
            },
            tags: args.tags,
        }, parent);

        const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
        if (args.certificateArn) {
            new aws.lb.Listener(`${name}-https`, {
                loadBalancerArn: lb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: args.certificateArn,
                defaultActions: forward,
            }, parent);
        }
        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: lb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: args.certificateArn
                ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
                : forward,
        }, parent);

        let keyName: pulumi.Output<string>;
        if (args.sshPublicKey) {
            keyName = new aws.ec2.KeyPair(`${name}-key`, { publicKey: args.sshPublicKey, tags: args.tags }, parent).keyName;
        } else {
            const key = new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, parent);
            keyName = new aws.ec2.KeyPair(`${name}-key`, { publicKey: key.publicKeyOpenssh, tags: args.tags }, parent).keyName;
            this.generatedPrivateKey = pulumi.secret(key.privateKeyOpenssh);
        }

        const amiId = args.amiId ?? aws.ec2.getAmiOutput({
            owners: [debianOwner],
            mostRecent: true,
            filters: [
                { name: "name", values: [`debian-12-${amiArchitecture(args.instanceType) === "arm64" ? "arm64" : "amd64"}-*`] },
                { name: "virtualization-type", values: ["hvm"] },
            ],
        }, parent).id;

        this.hosts = Array.from({ length: args.hostCount }, (_, i) => {
            const hostname = hostName(i);
            const instance = new aws.ec2.Instance(`${name}-${hostname}`, {
                ami: amiId,
                instanceType: args.instanceType,
                subnetId: args.publicSubnetIds[hostAzIndex(i, args.publicSubnetIds.length)],
                vpcSecurityGroupIds: [args.hostSecurityGroupId],
                keyName,
                associatePublicIpAddress: true,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required", // IMDSv2 only
                    httpPutResponseHopLimit: 2, // one hop more than the host, so containers reach it
                },
                rootBlockDevice: { volumeType: "gp3", volumeSize: 20, encrypted: true },
                tags: { ...args.tags, Name: `${name}-${hostname}` },
            }, {
                ...parent,
                // A newer Debian AMI must not replace running hosts on the next `pulumi up`; roll hosts onto
                // a new AMI on purpose, one at a time, with `pulumi up --replace <instance urn>` (see README).
                ignoreChanges: ["ami"],
            });
            new aws.lb.TargetGroupAttachment(`${name}-${hostname}`, {
                targetGroupArn: targetGroup.arn,
                targetId: instance.id,
                port: args.hostPort,
            }, parent);
            return { name: hostname, instance, publicIp: instance.publicIp };
        });

        this.lbDnsName = lb.dnsName;
        this.url = pulumi.interpolate`${args.certificateArn ? "https" : "http"}://${lb.dnsName}`;
        this.targetGroupArn = targetGroup.arn;
        this.registerOutputs({ lbDnsName: this.lbDnsName, url: this.url });
    }
}
