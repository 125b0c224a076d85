/**
 * The cloud-init user data that installs a host's pinned SSH host key at first boot: the deployer
 * then verifies every SSH connection against the public half (`connection.hostKey`) and never
 * talks to whoever else answers on the address. Only this ED25519 key is installed: with one host
 * key, any client negotiates it. (pulumi-command dials with `HostKeyAlgorithms` set to the pinned
 * key's type anyway: provider/pkg/provider/remote/connection.go, `SSHConfig`, v1.2.1.)
 *
 * The private key is a secret: Pulumi keeps it encrypted in the state, but EC2 shows user data to
 * anyone allowed ec2:DescribeInstanceAttribute and to every process on the host that can reach
 * the instance metadata service (README: "Pinned SSH host keys").
 */
export function hostKeyUserData(privateKeyOpenssh: string, publicKeyOpenssh: string): string {
    const config = {
        ssh_deletekeys: true,
        ssh_genkeytypes: [],
        ssh_keys: {
            ed25519_private: privateKeyOpenssh.endsWith("\n") ? privateKeyOpenssh : `${privateKeyOpenssh}\n`,
            ed25519_public: publicKeyOpenssh.trim(),
        },
    };
    // JSON is YAML: no hand-made indentation for the multi-line key.
    return `#cloud-config\n${JSON.stringify(config, null, 2)}\n`;
}
