import { Requirement } from "./graph";
import {
    isDatabase, isDatabaseIngressRule, isEfsIngressRule, isElasticIp, isHealthGate, isHostEgressRule, isHostStep, isHttpsListener, isInternetRoute,
    isLoadBalancer, isMountTarget, isRedirect, isSshRule, isStep,
} from "./nodes";

/**
 * What AWS needs to exist before a resource is created, as edges the program's graph must hold
 * (the engine creates a resource only after everything it waits for, and deletes it before them).
 * Without an edge, the order is whatever the engine's parallelism makes it: it works until it doesn't.
 *
 * | resource                         | waits for                                  | else                                  |
 * |----------------------------------|--------------------------------------------|---------------------------------------|
 * | internet-facing load balancer    | gateway, its route, the subnets' links     | InvalidSubnet                         |
 * | Elastic IP (associated)          | gateway, its route                         | Gateway.NotAttached                   |
 * | every host step (SSH, packages)  | gateway, route; SSH rules; hosts' egress   | dials fail until the rules exist      |
 * | mount-shared                     | every mount target; NFS rule into EFS      | mount.nfs4 times out                  |
 * | create-app-db, discard-old-db-   | the database; MySQL rule into it           | connection refused or timed out       |
 * | password                         |                                            |                                       |
 * | HTTP's redirect to HTTPS         | the HTTPS listener; the gate through it    | no working path while ACM validates   |
 */
export const orderingRules: Requirement[] = [
    {
        rule: "an internet-facing load balancer waits for the internet gateway's route",
        source: "Elastic Load Balancing API Reference, CreateLoadBalancer: InvalidSubnet when the VPC has no attached internet gateway",
        dependent: (n) => isLoadBalancer(n) && n.inputs.internal === false,
        prerequisite: isInternetRoute,
    },
    {
        rule: "an Elastic IP waits for the internet gateway",
        source: "Amazon EC2 API Reference, AssociateAddress: Gateway.NotAttached; terraform-provider-aws internal/service/ec2/ec2_eip_test.go adds depends_on the gateway for it",
        dependent: isElasticIp,
        prerequisite: isInternetRoute,
    },
    {
        rule: "a host step waits for the internet gateway's route (SSH in, packages and images out)",
        source: "Amazon VPC User Guide, Internet gateways: a public subnet reaches the internet only through its route to an attached gateway",
        dependent: isHostStep,
        prerequisite: isInternetRoute,
    },
    {
        rule: "a host step waits for the security-group rules on its path (SSH in, the hosts' egress)",
        source: "Amazon VPC User Guide, Security group rules: traffic no rule allows is dropped; pulumi-command provider/pkg/provider/remote/connection.go dialWithRetry gives up after dialErrorLimit + 1 failed dials",
        dependent: isHostStep,
        prerequisite: (n, _d, graph) => isSshRule(n, graph) || isHostEgressRule(n, graph),
    },
    {
        rule: "mounting EFS waits for every mount target and the NFS rule into them",
        source: "Amazon EFS User Guide, Mounting with the EFS mount helper: a mount target available in the instance's AZ, its security group allowing NFS (2049) from the instance",
        dependent: isStep("mount-shared"),
        prerequisite: (n, _d, graph) => isMountTarget(n) || isEfsIngressRule(n, graph),
    },
    {
        rule: "database set-up waits for the database and the MySQL rule into it",
        source: "Amazon RDS User Guide, Connecting to a DB instance: the instance available and its VPC security group allowing the client",
        dependent: (n) => isStep("create-app-db")(n) || isStep("discard-old-db-password")(n),
        prerequisite: (n, _d, graph) => isDatabase(n) || isDatabaseIngressRule(n, graph),
    },
    {
        rule: "HTTP redirects to HTTPS only once the HTTPS listener serves (every host answered the health gate through it)",
        source: "AWS Certificate Manager User Guide, DNS validation: a certificate is issued only once ACM sees the record (it may take minutes, or never); "
            + "terraform-provider-aws internal/service/acm/certificate_validation.go waits for ISSUED, so the HTTPS listener (which needs its ARN) waits too",
        dependent: isRedirect,
        prerequisite: (n) => isHttpsListener(n) || isHealthGate(n),
    },
];
