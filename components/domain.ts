import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DomainArgs {
    /** e.g. www.example.com, in the Route 53 hosted zone `hostedZoneId`. */
    domain: { name: string; hostedZoneId: string };
    tags: Record<string, string>;
}

/**
 * Your own domain, part one (before the load balancer): an ACM certificate for `domainName`,
 * validated by the DNS record ACM asks for, written into your Route 53 zone. `certificateArn`
 * resolves only once ACM has issued the certificate (CertificateValidation waits for it), so the
 * HTTPS listener never gets a certificate that is still pending.
 */
export class DomainCertificate extends pulumi.ComponentResource {
    public readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: DomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:domain:DomainCertificate", name, {}, opts);
        const parent = { parent: this };

        const certificate = new aws.acm.Certificate(`${name}-cert`, {
            domainName: args.domain.name,
            validationMethod: "DNS",
            tags: args.tags,
        }, { ...parent, deleteBeforeReplace: false });
        // One name, no alternative names: ACM asks for exactly one CNAME.
        const challenge = certificate.domainValidationOptions[0];
        const record = new aws.route53.Record(`${name}-validation`, {
            zoneId: args.domain.hostedZoneId,
            name: challenge.resourceRecordName,
            type: challenge.resourceRecordType,
            records: [challenge.resourceRecordValue],
            ttl: 60,
            // The same CNAME serves a re-created certificate for the same name (ACM reuses it).
            allowOverwrite: true,
        }, parent);
        const validation = new aws.acm.CertificateValidation(`${name}-validated`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: [record.fqdn],
        }, parent);

        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}

export interface DomainAliasArgs extends DomainArgs {
    loadBalancer: { dnsName: pulumi.Input<string>; zoneId: pulumi.Input<string> };
}

/**
 * Your own domain, part two (after the load balancer): an alias A record from `domainName` to the
 * load balancer. IPv4 only, like the load balancer (ipAddressType ipv4): an AAAA alias to it would
 * answer no addresses.
 */
export class DomainAlias extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: DomainAliasArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:domain:DomainAlias", name, {}, opts);
        const record = new aws.route53.Record(`${name}-a`, {
            zoneId: args.domain.hostedZoneId,
            name: args.domain.name,
            type: "A",
            // One record, nothing to fail over to: the load balancer's own health checks do that job.
            aliases: [{ name: args.loadBalancer.dnsName, zoneId: args.loadBalancer.zoneId, evaluateTargetHealth: false }],
        }, { parent: this });
        this.url = record.fqdn.apply(() => `https://${args.domain.name}`);
        this.registerOutputs({ url: this.url });
    }
}
