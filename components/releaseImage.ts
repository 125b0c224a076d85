import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ecrPullPolicy } from "./plan/ecrImage";
import { parsePublishedRelease, pinnedImage } from "./plan/releaseImage";

export interface ReleaseImageArgs {
    /** The release's label (stack config `release`). */
    label: string;
    /** The app's sources, built when the repository has no image under the label yet. */
    appDir: string;
    region: string;
    tags: Record<string, string>;
}

/** The publish script, beside the program: the one the local stack runs too. */
const publishScript = path.join(__dirname, "..", "files", "publish-release.sh");

/**
 * The stack's release images: an ECR repository, and the release named in config published into it
 * once. Who builds: the deployer's machine, with files/publish-release.sh, the script the local stack
 * runs for its registry stand-in. Not a host: pushing would give every host's role write access to
 * the repository, so an app that breaks out onto one host could replace the image every other host
 * pulls next; the hosts only pull (ecr:BatchGetImage on this repository, `hostPullPolicy`). Tags are
 * IMMUTABLE: a label, once pushed, names that image for good, so a rollback (`release` set to an
 * older label) pulls exactly what was built then, and the script never rebuilds it.
 *
 * The command runs on create and whenever its environment changes (a new label): pulumi-command's
 * local Command runs `create` on Create, and on Update too when no `update` is given
 * (provider/pkg/provider/local/commandController.go, `Update`: "Use Create command if Update is
 * unspecified"); it runs nothing in preview, so the digest is known only in `pulumi up`.
 */
export class ReleaseImage extends pulumi.ComponentResource {
    /** `<repository>@sha256:...`: what every host pulls. */
    readonly image: pulumi.Output<string>;
    /** The image id the build recorded: each host checks its pulled image is this one before its switch. */
    readonly imageId: pulumi.Output<string>;
    /** `<account>.dkr.ecr.<region>.amazonaws.com`: the hosts' credential helper signs in to it. */
    readonly registry: pulumi.Output<string>;
    /** The repository's name, for `aws ecr describe-images` (docs/releases.md). */
    readonly repositoryName: pulumi.Output<string>;
    /** Read-only access to this repository, for the hosts' role. */
    readonly hostPullPolicy: pulumi.Output<string>;

    constructor(name: string, args: ReleaseImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:release:ReleaseImage", name, {}, opts);
        const parent = { parent: this };
        const repository = new aws.ecr.Repository(`${name}-images`, {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            // `pulumi destroy` removes the images with the stack: each is rebuilt from its sources in git.
            forceDelete: true,
            tags: args.tags,
        }, parent);
        const published = new command.local.Command(`${name}-publish`, {
            create: `bash ${publishScript}`,
            environment: {
                RELEASE_LABEL: args.label,
                RELEASE_REPOSITORY: repository.repositoryUrl,
                APP_DIR: args.appDir,
                REGISTRY_LOGIN: "ecr",
                AWS_REGION: args.region,
            },
            // The build's progress goes to stderr; stdout is the record alone.
            logging: "stderr",
        }, parent);
        const record = published.stdout.apply((out) => parsePublishedRelease(out, args.label));
        this.image = pulumi.all([repository.repositoryUrl, record]).apply(([url, r]) => pinnedImage(url, r.digest));
        this.imageId = record.apply((r) => r.imageId);
        this.repositoryName = repository.name;
        this.registry = repository.repositoryUrl.apply((url) => url.split("/")[0]);
        this.hostPullPolicy = pulumi.all([repository.arn, this.registry]).apply(([repositoryArn, registry]) => ecrPullPolicy({ registry, repositoryArn }));
        this.registerOutputs({ image: this.image, imageId: this.imageId });
    }
}
