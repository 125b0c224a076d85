/**
 * Who may use the shared file system, as EFS evaluates it for every NFS client
 * (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html). The hosts mount with
 * efs-utils' `tls,iam` (files/lib/efs-utils.sh): TLS through stunnel, and a client certificate that
 * efs-utils signs with the instance role's credentials, so EFS sees the hosts' role. A client without
 * that certificate is anonymous: it gets nothing here, and never root.
 */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Array<Record<string, unknown> & { Sid: string; Action: string | string[] }>;
}

const clientActions = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"];

/** The file-system policy: the hosts' role over TLS, nothing for anyone else, root for no one else, nothing without TLS. */
export function fileSystemPolicy(fileSystemArn: string, hostRoleArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TheHostsRoleOverTls",
                Effect: "Allow",
                Principal: { AWS: hostRoleArn },
                Action: clientActions,
                Resource: fileSystemArn,
                Condition: { Bool: { "aws:SecureTransport": "true", "elasticfilesystem:AccessedViaMountTarget": "true" } },
            },
            {
                // Explicit, so no later Allow (a console edit, another statement) can give root to anyone else.
                Sid: "NoRootWithoutTheHostsRole",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "elasticfilesystem:ClientRootAccess",
                Resource: fileSystemArn,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": hostRoleArn } },
            },
            {
                Sid: "NothingWithoutTls",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "*",
                Resource: fileSystemArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** The hosts' role's own side (identity policy): the same three actions, on this file system only. */
export function hostClientPolicy(fileSystemArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "MountTheStacksFileSystem", Effect: "Allow", Action: clientActions, Resource: fileSystemArn }],
    };
}

/**
 * The app's data: an access point whose every operation runs as the app's uid and gid (appUid),
 * whoever mounts it (a host's root included), rooted at /data, which EFS creates owned by that uid
 * with this mode.
 */
export const appDataAccessPoint = { path: "/data", permissions: "0750" };
