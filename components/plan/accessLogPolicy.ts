/**
 * Who may write a load balancer's access logs into our bucket. AWS documents two cases
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
 * "Attach a policy to your S3 bucket"):
 *
 * | region                          | principal in the bucket policy                                   |
 * |---------------------------------|------------------------------------------------------------------|
 * | available before August 2022    | the region's Elastic Load Balancing account (AWS: arn:...:root)  |
 * | available since August 2022     | the service principal logdelivery.elasticloadbalancing.amazonaws.com |
 *
 * The account ids below are AWS's table for the first case (the same table the Terraform provider's
 * aws_elb_service_account data source carries: internal/service/elb/service_account_data_source.go,
 * which fails for every other region; hence our own lookup with the service principal as fallback).
 */
export const elbAccountByRegion: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
};

export const elbLogDeliveryService = "logdelivery.elasticloadbalancing.amazonaws.com";

export interface AccessLogPolicyArgs {
    bucketArn: string;
    /** The key prefix the load balancer writes under (without slashes at either end). */
    prefix: string;
    /** The account that owns the load balancer: AWS writes to <prefix>/AWSLogs/<account>/. */
    accountId: string;
    region: string;
}

/** The bucket policy: the log writer may put objects under our prefix only; nobody may use plain HTTP. */
export function accessLogBucketPolicy(args: AccessLogPolicyArgs): string {
    const elbAccount = elbAccountByRegion[args.region];
    const principal = elbAccount ? { AWS: `arn:aws:iam::${elbAccount}:root` } : { Service: elbLogDeliveryService };
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LoadBalancerAccessLogs",
                Effect: "Allow",
                Principal: principal,
                Action: "s3:PutObject",
                Resource: `${args.bucketArn}/${args.prefix}/AWSLogs/${args.accountId}/*`,
            },
            {
                Sid: "DenyPlainHttp",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [args.bucketArn, `${args.bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}
