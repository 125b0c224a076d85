import { ResourceNode } from "./graph";

/** Which resources of the graph play which part, read off their types and inputs. */
const ofType = (type: string) => (n: ResourceNode) => n.type === type;

export const isInternetRoute = (n: ResourceNode) =>
    ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation"].includes(n.type);
export const isLoadBalancer = ofType("aws:lb/loadBalancer:LoadBalancer");
export const isElasticIp = ofType("aws:ec2/eip:Eip");
export const isMountTarget = ofType("aws:efs/mountTarget:MountTarget");
export const isDatabase = ofType("aws:rds/instance:Instance");
export const isTargetAttachment = ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment");
export const isHealthGate = ofType("pulumi-nodejs:dynamic/ha-web:HealthGate");
export const isHttpsListener = (n: ResourceNode) => n.type === "aws:lb/listener:Listener" && n.inputs.protocol === "HTTPS";
/** A listener or listener rule that answers with a redirect (HTTP to HTTPS) instead of forwarding. */
export const isRedirect = (n: ResourceNode) => ["aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"].includes(n.type)
    && [n.inputs.defaultActions, n.inputs.actions].some((actions) => Array.isArray(actions) && actions.some((a) => (a as { type?: string }).type === "redirect"));

/** A step carried to a host over SSH: a file set (HostFiles) or a remote command. */
export const isHostStep = (n: ResourceNode) => n.type === "pulumi-nodejs:dynamic/ha-web:HostFiles" || n.type === "command:remote:Command";
/** Host steps whose delete reaches the host too: file sets remove their files, commands with a `delete` (the drain) run it. */
export const reachesHostOnDelete = (n: ResourceNode) => isHostStep(n) && (n.type !== "command:remote:Command" || n.inputs.delete !== undefined);
export const isStep = (step: string) => (n: ResourceNode) => isHostStep(n) && n.name.endsWith(`-${step}`);

const ids = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
/** The security groups of the hosts, of the mount targets and of the database (as ids). */
const hostGroups = (graph: ResourceNode[]) => graph.filter(ofType("aws:ec2/instance:Instance")).flatMap((n) => ids(n.inputs.vpcSecurityGroupIds));
const mountTargetGroups = (graph: ResourceNode[]) => graph.filter(isMountTarget).flatMap((n) => ids(n.inputs.securityGroups));
const databaseGroups = (graph: ResourceNode[]) => graph.filter(isDatabase).flatMap((n) => ids(n.inputs.vpcSecurityGroupIds));

const isIngress = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
const isEgress = ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
const into = (groups: string[]) => (n: ResourceNode) => groups.includes(String(n.inputs.securityGroupId));
/** SSH into the hosts, and everything the hosts send out (packages, images, EFS, MySQL). */
export const isSshRule = (n: ResourceNode, graph: ResourceNode[]) => isIngress(n) && n.inputs.fromPort === 22 && into(hostGroups(graph))(n);
export const isHostEgressRule = (n: ResourceNode, graph: ResourceNode[]) => isEgress(n) && into(hostGroups(graph))(n);
export const isEfsIngressRule = (n: ResourceNode, graph: ResourceNode[]) => isIngress(n) && into(mountTargetGroups(graph))(n);
export const isDatabaseIngressRule = (n: ResourceNode, graph: ResourceNode[]) => isIngress(n) && into(databaseGroups(graph))(n);
