import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { AccessLogDestination } from "./logs";
import { deregistrationDelaySeconds, healthCheck, loadBalancing } from "./plan/healthCheck";
import { hostKeyUserData } from "./plan/hostKeyUserData";
import { hostAzIndex, hostName } from "./plan/subnets";

export interface WebTierArgs {
    hostCount: number;
    /** Public subnets, one per AZ; host i lands in subnet i mod n. */
    publicSubnetIds: pulumi.Input<string>[];
    vpcId: pulumi.Input<string>;
    /**
     * The attached internet gateway and its routes (Network.internetRoutes): an internet-facing load
     * balancer in a VPC without an attached gateway fails with InvalidSubnet (ELB API Reference,
     * CreateLoadBalancer), and associating an Elastic IP fails with Gateway.NotAttached (EC2 API
     * Reference, AssociateAddress; terraform-provider-aws adds depends_on to its EIP tests for it).
     */
    internetRoutes: pulumi.Resource[];
    lbSecurityGroupId: pulumi.Input<string>;
    hostSecurityGroupId: pulumi.Input<string>;
    /** The port nginx listens on; the target group sends traffic and health checks there. */
    hostPort: number;
    instanceType: string;
    /** Pinned in config: a new id replaces the hosts (one leaves service at a time, see ServiceMembership). */
    amiId: string;
    /** An operator's own key; when unset a key pair is generated and its private key exported as a secret. */
    sshPublicKey?: string;
    /** Adds the HTTPS listener (HttpRouting sends HTTP to it): from config, or the validated certificate of DomainCertificate. */
    certificateArn?: pulumi.Input<string>;
    /** What the hosts may do in AWS (CentralLogs: write their container logs). */
    instanceProfileName?: pulumi.Input<string>;
    /** The load balancer's access logs, when on. */
    accessLogs?: AccessLogDestination;
    tags: Record<string, string>;
}

export interface Host {
    name: string;
    instance: aws.ec2.Instance;
    /** The host's Elastic IP: survives stop/start and instance type changes, unlike an auto-assigned address. */
    address: pulumi.Output<string>;
    /** The host's pinned SSH public key (OpenSSH line), installed at first boot. */
    hostKey: pulumi.Output<string>;
    /** What must still exist while the host drains before deletion. */
    inService: pulumi.Resource[];
}

/**
 * Instance properties whose change AWS applies in place by stopping the instance (the instance type;
 * user data, unless `userDataReplaceOnChange`) or that force a new instance anyway (AMI, key pair,
 * subnet). Listed so that every one of them is a replacement, created before the old host is
 * deleted: the pool never loses a host to a stop/modify/start, and the engine never runs two at once.
 */
const replacingProperties = ["ami", "instanceType", "keyName", "subnetId", "userData"];

/**
 * The load-balanced web tier: an internet-facing ALB (HTTP, plus HTTPS when a certificate is set)
 * over `hostCount` Debian 12 instances spread round-robin over the AZs.
 */
export class WebTier extends pulumi.ComponentResource {
    public readonly hosts: Host[];
    public readonly lbDnsName: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** The dimensions CloudWatch names the load balancer and target group by (`app/...`, `targetgroup/...`). */
    public readonly lbArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    /** The load balancer's Route 53 zone, for alias records. */
    public readonly lbZoneId: pulumi.Output<string>;
    /** Port 80: forwards to the hosts; HttpRouting adds the redirect once HTTPS serves. */
    public readonly httpListener: aws.lb.Listener;
    /** Port 443, when a certificate is set. */
    public readonly httpsListener?: aws.lb.Listener;
    /** The listener `url` goes through: HTTPS when there is a certificate, else HTTP. */
    public readonly servingListener: aws.lb.Listener;
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
            idleTimeout: loadBalancing.idleSeconds,
            dropInvalidHeaderFields: true,
            accessLogs: args.accessLogs && { bucket: args.accessLogs.bucket, prefix: args.accessLogs.prefix, enabled: true },
            tags: args.tags,
        }, { ...parent, dependsOn: args.internetRoutes });

        const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
            vpcId: args.vpcId,
            port: args.hostPort,
            protocol: "HTTP",
            targetType: "instance",
            deregistrationDelay: deregistrationDelaySeconds,
            loadBalancingAlgorithmType: loadBalancing.algorithm,
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

        // HTTP always forwards: with a certificate, its redirect to HTTPS is a rule of its own that
        // comes only once the HTTPS listener serves (HttpRouting), so adding a domain whose
        // certificate is still being validated (or never is) leaves the site up over HTTP.
        const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
        this.httpListener = new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: lb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: forward,
            // Tagged like everything else: the deployer may change or delete only listeners carrying the stack's tag.
            tags: args.tags,
        }, parent);
        this.httpsListener = args.certificateArn === undefined ? undefined : new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: lb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn: args.certificateArn,
            defaultActions: forward,
            tags: args.tags,
        }, parent);

        let keyName: pulumi.Output<string>;
        if (args.sshPublicKey) {
            keyName = new aws.ec2.KeyPair(`${name}-key`, { publicKey: args.sshPublicKey, tags: args.tags }, parent).keyName;
        } else {
            const key = new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, parent);
            keyName = new aws.ec2.KeyPair(`${name}-key`, { publicKey: key.publicKeyOpenssh, tags: args.tags }, parent).keyName;
            this.generatedPrivateKey = pulumi.secret(key.privateKeyOpenssh);
        }

        this.hosts = Array.from({ length: args.hostCount }, (_, i) => {
            const hostname = hostName(i);
            const subnetId = args.publicSubnetIds[hostAzIndex(i, args.publicSubnetIds.length)];
            // Each host's own SSH host key, generated here so the deployer knows it before the host
            // exists, and a new one with every new machine: replaced whenever one of the instance's
            // replacing properties changes (not its user data, which carries this key).
            const hostKey = new tls.PrivateKey(`${name}-${hostname}-host-key`, { algorithm: "ED25519" }, {
                ...parent,
                replacementTrigger: { ami: args.amiId, instanceType: args.instanceType, keyName, subnetId },
            });
            const instance = new aws.ec2.Instance(`${name}-${hostname}`, {
                ami: args.amiId,
                instanceType: args.instanceType,
                subnetId,
                vpcSecurityGroupIds: [args.hostSecurityGroupId],
                keyName,
                iamInstanceProfile: args.instanceProfileName,
                // Until its Elastic IP is associated, the host still needs an address to reach the internet (no NAT).
                associatePublicIpAddress: true,
                userData: pulumi.secret(pulumi.all([hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh])
                    .apply(([privateKey, publicKey]) => hostKeyUserData(privateKey, publicKey))),
                userDataReplaceOnChange: true,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required", // IMDSv2 only
                    // One hop: only the host itself. Nothing in a container needs it (Docker, its awslogs driver
                    // and the ECR credential helper run on the host); the app and every docker build must not
                    // read the role or the user data.
                    httpPutResponseHopLimit: 1,
                },
                rootBlockDevice: { volumeType: "gp3", volumeSize: 20, encrypted: true },
                tags: { ...args.tags, Name: `${name}-${hostname}` },
            }, {
                ...parent,
                // No ignoreChanges: the AMI is pinned in config, so a change of it is always on purpose.
                replaceOnChanges: replacingProperties,
                deleteBeforeReplace: false,
                additionalSecretOutputs: ["userData"],
            });
            // A new instance gets a new address (replaceOnChanges): the old host keeps its own until it has
            // been drained over it and deleted (ServiceMembership), and hostIps shows the new one.
            const eip = new aws.ec2.Eip(`${name}-${hostname}-ip`, {
                domain: "vpc",
                instance: instance.id,
                tags: { ...args.tags, Name: `${name}-${hostname}` },
            }, { ...parent, replaceOnChanges: ["instance"], deleteBeforeReplace: false, dependsOn: args.internetRoutes });
            const attachment = new aws.lb.TargetGroupAttachment(`${name}-${hostname}`, {
                targetGroupArn: targetGroup.arn,
                targetId: instance.id,
                port: args.hostPort,
            }, { ...parent, deleteBeforeReplace: false });
            return {
                name: hostname,
                instance,
                address: eip.publicIp,
                hostKey: hostKey.publicKeyOpenssh.apply((key) => key.trim()),
                inService: [eip, attachment],
            };
        });

        this.lbDnsName = lb.dnsName;
        // The site's address through the listener that serves it: resolves only once that listener exists.
        this.servingListener = this.httpsListener ?? this.httpListener;
        const scheme = this.httpsListener ? "https" : "http";
        this.url = pulumi.all([this.servingListener.arn, lb.dnsName]).apply(([, dnsName]) => `${scheme}://${dnsName}`);
        this.targetGroupArn = targetGroup.arn;
        this.lbArnSuffix = lb.arnSuffix;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.lbZoneId = lb.zoneId;
        this.registerOutputs({ lbDnsName: this.lbDnsName, url: this.url });
    }
}
