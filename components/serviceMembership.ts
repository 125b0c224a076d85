import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { awaitInServiceCommandLine, awaitInServiceSeconds, retireCommandLine, retireHostSeconds } from "./plan/membershipScripts";

export interface MemberHost {
    host: string;
    /** A new instance is a new host: its replacement replaces this resource, so the OLD host is drained. */
    instanceId: pulumi.Input<string>;
    address: pulumi.Input<string>;
    hostKey: pulumi.Input<string>;
    /** What must still exist while the host drains: its set-up (ha-web-drain), address and target registration. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

export interface ServiceMembershipArgs {
    hosts: MemberHost[];
    sshUser: string;
    sshPrivateKey: pulumi.Input<string>;
    /** Whatever SSH needs on the way out (network routes, the SSH firewall rule): deleted only after every drain. */
    reachability: pulumi.Input<pulumi.Resource>[];
}

/**
 * A host's membership of the load balancer's pool, one `command.remote.Command` per host:
 * - create (a new host, once set up): `await-in-service` returns when the load balancer's own health
 *   checks pass on the host. The health gate waits for every one of these, so no old host is deleted
 *   (below) before its replacement is really in service.
 * - delete (drain before delete): `retire-host` runs ha-web-drain, then waits out the deregistration delay.
 *
 * When the engine deletes it:
 * - A host is replaced (new instance id -> `triggers` replace this command; create-before-delete):
 *   the replacement's command is created, and the old one is deleted with the old host at the end of
 *   the update, after every create and update, the health gate included (pulumi/pulumi v3.248.0
 *   pkg/resource/deploy/deployment_executor.go: `performPostSteps` runs once all registrations are
 *   done, and `GenerateDeletes` turns each replaced resource into a delete-replaced step there).
 *   Its stored connection is the OLD host's address and key, so the old host is drained.
 * - A host is removed (`hostCount` lowered): deleted in the same phase.
 * - Deletes follow dependencies: dependents first (step_generator.go `ScheduleDeletes`: antichains
 *   from the old snapshot's graph, reversed). This command depends on the host's attachment,
 *   address and set-up, so it drains before they go; each host's command depends on the previous
 *   host's, so hosts that go in one update are drained one after the other, never two at once.
 */
export class ServiceMembership extends pulumi.ComponentResource {
    public readonly commands: command.remote.Command[] = [];

    constructor(name: string, args: ServiceMembershipArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:hosts:ServiceMembership", name, {}, opts);
        // Both scripts are among the host's placed step scripts (planHost), run by ha-web-step.
        const awaitInService = awaitInServiceCommandLine();
        const retire = retireCommandLine();
        for (const host of args.hosts) {
            const previous = this.commands[this.commands.length - 1];
            this.commands.push(new command.remote.Command(`${name}-${host.host}`, {
                connection: {
                    host: host.address,
                    user: args.sshUser,
                    privateKey: args.sshPrivateKey,
                    hostKey: host.hostKey,
                    // A bounded number of dials: a host that cannot be reached fails its delete with a message
                    // instead of hanging (README: "A host that cannot be drained").
                    dialErrorLimit: 10,
                    perDialTimeout: 15,
                },
                create: awaitInService,
                delete: retire,
                triggers: [host.instanceId],
                addPreviousOutputInEnv: false,
            }, {
                parent: this,
                deleteBeforeReplace: false,
                dependsOn: [...host.dependsOn, ...args.reachability, ...(previous ? [previous] : [])],
                customTimeouts: { create: `${awaitInServiceSeconds()}s`, update: `${awaitInServiceSeconds()}s`, delete: `${retireHostSeconds()}s` },
            }));
        }
        this.registerOutputs({});
    }
}
