/**
 * The managed policy an account administrator creates once from iam/host-role-boundary.json
 * (docs/aws-permissions.md): the deployer may create the hosts' role only with it as the role's
 * permissions boundary (iam/deployer-policy.json, condition iam:PermissionsBoundary).
 */
const hostRoleBoundaryName = "ha-web-host-boundary";

export function hostRoleBoundaryArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:policy/${hostRoleBoundaryName}`;
}
