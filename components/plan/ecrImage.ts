/** An image in Amazon ECR: the hosts pull it with the ECR credential helper and their instance profile. */
export interface EcrImage {
    /** `<account>.dkr.ecr.<region>.amazonaws.com`: the key of Docker's `credHelpers`. */
    registry: string;
    /** The repository's ARN, the only one the hosts may read. */
    repositoryArn: string;
}

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html: <account>.dkr.ecr.<region>.amazonaws.com
// (.com.cn in China; dkr.ecr-fips for FIPS endpoints), then the repository, then :tag, @digest or both.
const ecrReference = /^((\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?)\/([a-z0-9._\/-]+)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;

/** The ECR registry and repository of an image reference, or undefined for any other registry. */
export function ecrImage(image: string): EcrImage | undefined {
    const match = ecrReference.exec(image);
    if (!match) return undefined;
    const [, registry, account, region, china, repository] = match;
    return { registry, repositoryArn: `arn:${china ? "aws-cn" : "aws"}:ecr:${region}:${account}:repository/${repository}` };
}

/**
 * What a host needs to pull from that repository: a token (GetAuthorizationToken takes no resource,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html)
 * and the image's manifest and layers from that one repository.
 */
export function ecrPullPolicy(image: EcrImage): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            {
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                Resource: image.repositoryArn,
            },
        ],
    });
}
