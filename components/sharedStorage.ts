import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SharedStorageArgs {
    /** One private subnet per AZ that has a host: each gets a mount target (EFS allows one per AZ). */
    subnetIds: pulumi.Input<string>[];
    securityGroupId: pulumi.Input<string>;
    /** Protect the file system (see `protect` below); off for stacks that are destroyed often. */
    deletionProtection: boolean;
    tags: Record<string, string>;
}

/** Encrypted EFS mounted at /shared on every host: configs, scripts and shared data. */
export class SharedStorage extends pulumi.ComponentResource {
    public readonly fileSystemId: pulumi.Output<string>;
    /** The regional DNS name; it resolves to the mount target in the caller's own AZ. */
    public readonly dnsName: pulumi.Output<string>;
    public readonly mountTargets: aws.efs.MountTarget[];

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
        this.mountTargets = args.subnetIds.map((subnetId, i) => new aws.efs.MountTarget(`${name}-mount-${i}`, {
            fileSystemId: fileSystem.id,
            subnetId,
            securityGroups: [args.securityGroupId],
        }, parent));

        this.fileSystemId = fileSystem.id;
        this.dnsName = fileSystem.dnsName;
        this.registerOutputs({ fileSystemId: this.fileSystemId, dnsName: this.dnsName });
    }
}
