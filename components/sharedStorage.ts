import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { appDataAccessPoint, fileSystemPolicy, hostClientPolicy } from "./plan/sharedStoragePolicy";
import { appUid } from "./plan/appUser";

export interface SharedStorageArgs {
    /** One private subnet per AZ that has a host: each gets a mount target (EFS allows one per AZ). */
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    /** Protect the file system (see `protect` below); off for stacks that are destroyed often. */
    deletionProtection: boolean;
    /** The hosts' instance role: the only client the file-system policy lets in, and the only one ever root. */
    hostRole: { arn: pulumi.Input<string>; name: pulumi.Input<string> };
    tags: Record<string, string>;
}

/**
 * Encrypted EFS mounted at /shared on every host (scripts and shared data), over TLS with the hosts'
 * IAM role; the app's data through an access point that acts as the app's uid whoever mounts it.
 */
export class SharedStorage extends pulumi.ComponentResource {
    public readonly fileSystemId: pulumi.Output<string>;
    /** The regional DNS name; it resolves to the mount target in the caller's own AZ. */
    public readonly dnsName: pulumi.Output<string>;
    /** What mount-shared waits for: the mount targets, the access point and both sides of the policy. */
    public readonly mountPrerequisites: pulumi.Resource[];
    /** The app's data (mounted at hostPaths.appDataMount on the hosts). */
    public readonly appDataAccessPointId: pulumi.Output<string>;

    constructor(name: string, args: SharedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:storage:SharedStorage", name, {}, opts);
        const parent = { parent: this };

        const fileSystem = new aws.efs.FileSystem(`${name}-efs`, {
            encrypted: true,
            performanceMode: "generalPurpose",
            throughputMode: "elastic",
            tags: { ...args.tags, Name: `${name}-efs` },
        }, {
            ...parent,
            // `encrypted` and `performanceMode` force a new file system (terraform-provider-aws
            // internal/service/efs/file_system.go: ForceNew), and Pulumi deletes the old one while every
            // host still has it mounted (hard NFS mounts hang) with all its data. Protected, such an edit
            // fails the preview instead; docs/day-2-changes.md says how to move to a new one on purpose.
            protect: args.deletionProtection,
        });
        new aws.efs.BackupPolicy(`${name}-backup`, {
            fileSystemId: fileSystem.id,
            backupPolicy: { status: "ENABLED" },
        }, parent);
        const mountTargets = args.subnetIds.map((subnetId, i) => new aws.efs.MountTarget(`${name}-mount-${i}`, {
            fileSystemId: fileSystem.id,
            subnetId,
            securityGroups: [args.securityGroupId],
        }, parent));

        const accessPoint = new aws.efs.AccessPoint(`${name}-app-data`, {
            fileSystemId: fileSystem.id,
            posixUser: { uid: appUid, gid: appUid },
            rootDirectory: {
                path: appDataAccessPoint.path,
                creationInfo: { ownerUid: appUid, ownerGid: appUid, permissions: appDataAccessPoint.permissions },
            },
            tags: { ...args.tags, Name: `${name}-app-data` },
        }, parent);
        const policy = new aws.efs.FileSystemPolicy(`${name}-policy`, {
            fileSystemId: fileSystem.id,
            policy: pulumi.all([fileSystem.arn, args.hostRole.arn]).apply(([fsArn, roleArn]) => JSON.stringify(fileSystemPolicy(fsArn, roleArn))),
        }, parent);
        const clientPolicy = new aws.iam.RolePolicy(`${name}-host-client`, {
            role: args.hostRole.name,
            policy: fileSystem.arn.apply((arn) => JSON.stringify(hostClientPolicy(arn))),
        }, parent);
        // A host mounts once a mount target answers in its zone and EFS lets its role in.
        this.mountPrerequisites = [...mountTargets, accessPoint, policy, clientPolicy];

        this.appDataAccessPointId = accessPoint.id;
        this.fileSystemId = fileSystem.id;
        this.dnsName = fileSystem.dnsName;
        this.registerOutputs({ fileSystemId: this.fileSystemId, dnsName: this.dnsName });
    }
}
