import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import "./support/pulumiMocks";
import { keyOf, missingEdges, ResourceNode } from "../../components/awsRules/graph";
import { deleteNeeds, destroyProblems } from "../../components/awsRules/destroy";
import { nameProblems } from "../../components/awsRules/naming";
import { orderingRules } from "../../components/awsRules/ordering";
import { elasticIpQuotaWarning } from "../../components/plan/elasticIpQuota";
import { debianAmiOwner } from "../../components/plan/settings";
import { variantRuns } from "./support/configurationVariants";
import { mockDebianAmi } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

/** The graph without the edges from `dependent` to every resource of the given types. */
const withoutEdges = (graph: ResourceNode[], dependent: (n: ResourceNode) => boolean, ...types: string[]): ResourceNode[] =>
    graph.map((n) => (dependent(n) ? { ...n, dependsOn: n.dependsOn.filter((k) => !types.some((t) => k.startsWith(`${t}::`))) } : n));

describe("AWS's ordering, naming and destroy rules on the program's graph (under mocks)", function () {
    this.timeout(120000);
    let runs: Map<string, ProgramRun>;
    before(async () => { runs = await variantRuns(); });

    it("orders every resource after what AWS needs to exist first, in every configuration", () => {
        for (const [variant, run] of runs) {
            expect(missingEdges(run.graph, orderingRules), variant).to.deep.equal([]);
        }
    });

    it("names the resource and the missing edge when one is removed (the load balancer from the gateway)", () => {
        const graph = runs.values().next().value!.graph;
        const cut = withoutEdges(graph, (n) => n.type === "aws:lb/loadBalancer:LoadBalancer",
            "aws:ec2/internetGateway:InternetGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation");
        expect(missingEdges(cut, orderingRules).slice(0, 1)).to.deep.equal([
            "an internet-facing load balancer waits for the internet gateway's route: aws:lb/loadBalancer:LoadBalancer web-alb does not wait for "
            + "aws:ec2/internetGateway:InternetGateway net-igw (Elastic Load Balancing API Reference, CreateLoadBalancer: InvalidSubnet when the VPC has no attached internet gateway)",
        ]);
    });

    it("gives every named resource a name AWS accepts, in every configuration", () => {
        for (const [variant, run] of runs) {
            const named = run.graph.filter((n) => ["aws:lb/loadBalancer:LoadBalancer", "aws:sns/topic:Topic", "aws:rds/instance:Instance"].includes(n.type));
            expect(named.length, variant).to.be.greaterThan(2);
            expect(nameProblems(run.graph), variant).to.deep.equal([]);
        }
        const long = { type: "aws:lb/loadBalancer:LoadBalancer", name: "a-web-tier-for-the-shop-alb", inputs: {}, dependsOn: [] };
        expect(nameProblems([long])).to.deep.equal([`aws:lb/loadBalancer:LoadBalancer a-web-tier-for-the-shop-alb: name "a-web-tier-for-the-shop-alb-a1b2c3d" is 35 characters, AWS allows 32 (Elastic Load Balancing API Reference, CreateLoadBalancer Name)`]);
    });

    it("destroys from any state (the whole stack, or what an interrupted up left) with SSH and registrations in place until their steps are gone", () => {
        for (const [variant, run] of runs) {
            // Each SSH delete knows its host's address, so the walk checks the address it really uses.
            const [sshNeed] = deleteNeeds;
            for (const step of run.graph.filter(sshNeed.deleting)) {
                expect(run.graph.filter((n) => n.type === "aws:ec2/eip:Eip" && sshNeed.needs(n, step, run.graph)), `${variant}: ${step.name}`).to.have.length(1);
            }
            // Registration order is a creation order: each prefix is a state an interrupted `up` can leave.
            for (let created = 1; created <= run.graph.length; created += 1) {
                expect(destroyProblems(run.graph.slice(0, created)), `${variant}, first ${created} resources`).to.deep.equal([]);
            }
        }
    });

    it("names the delete and what it needs when an edge is removed (the drain from its target registration)", () => {
        const graph = runs.values().next().value!.graph;
        const drain = (n: ResourceNode) => n.type === "command:remote:Command" && n.name === "in-service-host-a";
        expect(graph.filter(drain).map(keyOf)).to.have.length(1);
        const problems = destroyProblems(withoutEdges(graph, drain, "aws:lb/targetGroupAttachment:TargetGroupAttachment"));
        expect(problems, problems.join("\n")).to.have.length(1);
        expect(problems[0]).to.match(/^a host is drained before its target registration goes: command:remote:Command in-service-host-a is deleted in wave \d+, aws:lb\/targetGroupAttachment:TargetGroupAttachment web-host-a already in wave \d+/);
    });

    it("looks the pinned image up among Debian's own images, deprecated ones included", () => {
        for (const run of runs.values()) {
            const lookups = run.invokes.filter((i) => i.token === "aws:ec2/getAmi:getAmi");
            expect(lookups.map((l) => l.inputs)).to.deep.equal([{ owners: [debianAmiOwner], includeDeprecated: true, filters: [{ name: "image-id", values: [mockDebianAmi] }] }]);
        }
    });
});

describe("Elastic IPs a first up and a full roll need (5 per region by default)", () => {
    it("says nothing while every host and its replacement fit the default quota", () => {
        expect(elasticIpQuotaWarning(2)).to.equal(undefined);
    });

    it("warns in the preview, naming hostCount, the addresses a roll needs and how to ask for more", async () => {
        expect(elasticIpQuotaWarning(3)).to.match(/^hostCount 3 needs up to 6 Elastic IPs .* default quota is 5 per region.*--quota-code L-0263D0A3 --desired-value 6\), or lower hostCount\.$/);
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        pulumi.log.warn = (message: string) => { warnings.push(message); return Promise.resolve(); };
        try {
            await runProgram({ hostCount: "3" });
        } finally {
            pulumi.log.warn = warn;
        }
        expect(warnings.filter((w) => w.includes("Elastic IPs"))).to.deep.equal([elasticIpQuotaWarning(3)]);
    });
});
