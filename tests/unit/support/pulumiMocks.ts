/**
 * The one Pulumi mocks module for every test file (each `setMocks` replaces the last). Records every
 * resource the program registers, and answers the provider calls the program makes with fixed data.
 * Import this before the program: `setMocks` must run before `@pulumi/*` resources are constructed.
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** False for component resources, which the engine never sends to a provider. */
    custom: boolean;
}

export const recorded: RecordedResource[] = [];

/** Every provider function (invoke) the program called, with the arguments of each call. */
export const invoked: Array<{ token: string; inputs: Record<string, unknown> }> = [];

/** Values the mocks generate for secrets; no non-secret input may ever contain one. */
export const generatedSecrets = new Set<string>();

export const mockAzs = ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];
export const mockDebianAmi = "ami-0de12a0000000001";
/** What the publish command reports for any release under mocks. */
export const mockReleaseDigest = `sha256:${"d".repeat(64)}`;
export const mockReleaseImageId = `sha256:${"e".repeat(64)}`;
/** The arm64 build of the same image. */
export const mockDebianArmAmi = "ami-0de12b0000000002";

/** One address per resource name, the same in every run, as a real instance keeps its address. */
const counter = (addresses: Map<string, number>) => (name: string) => addresses.get(name) ?? addresses.set(name, 10 + addresses.size).get(name)!;
const addressOf = counter(new Map());
/** Elastic IPs count on their own: host-a's is .10, host-b's .11. */
const elasticAddressOf = counter(new Map());

function outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword": {
            const result = `generated-${name}-Zq8vX2`;
            generatedSecrets.add(result);
            return { ...inputs, result };
        }
        case "tls:index/privateKey:PrivateKey": {
            const privateKeyOpenssh = `-----BEGIN OPENSSH PRIVATE KEY-----\nmock-${name}\n-----END OPENSSH PRIVATE KEY-----\n`;
            generatedSecrets.add(privateKeyOpenssh);
            return { ...inputs, privateKeyOpenssh, privateKeyPem: privateKeyOpenssh, publicKeyOpenssh: `ssh-ed25519 AAAAmock${name}` };
        }
        case "random:index/randomId:RandomId":
            return { ...inputs, hex: "a1b2c3d4" };
        case "aws:ec2/instance:Instance":
            return { ...inputs, publicIp: `198.51.100.${addressOf(name)}`, privateIp: `10.20.0.${addressOf(name)}`, arn: `arn:aws:ec2:::${name}` };
        case "aws:ec2/eip:Eip":
            return { ...inputs, publicIp: `203.0.113.${elasticAddressOf(name)}`, allocationId: `eipalloc-${name}` };
        case "aws:ec2/keyPair:KeyPair":
            return { ...inputs, keyName: `${name}-key` };
        case "aws:lb/loadBalancer:LoadBalancer":
            return {
                ...inputs, dnsName: `${name}.us-west-2.elb.amazonaws.com`, arn: `arn:aws:elasticloadbalancing:::loadbalancer/app/${name}/50dc6c495c0c9188`,
                arnSuffix: `app/${name}/50dc6c495c0c9188`, zoneId: "Z1H1FL5HABSF5",
            };
        case "aws:lb/listener:Listener":
            return { ...inputs, arn: `arn:aws:elasticloadbalancing:::listener/app/web-alb/50dc6c495c0c9188/${name}` };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...inputs, arn: `arn:aws:elasticloadbalancing:::targetgroup/${name}/73e2d6bc24d8a067`, arnSuffix: `targetgroup/${name}/73e2d6bc24d8a067` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { ...inputs, arn: `arn:aws:logs:us-west-2:123456789012:log-group:${inputs.name}` };
        case "aws:iam/role:Role":
            return { ...inputs, name: `${name}-7f3a`, arn: `arn:aws:iam::123456789012:role/${name}-7f3a` };
        case "aws:iam/instanceProfile:InstanceProfile":
            return { ...inputs, name: `${name}-7f3a` };
        case "aws:s3/bucket:Bucket":
            return { ...inputs, bucket: `${name}-7f3a`, arn: `arn:aws:s3:::${name}-7f3a` };
        case "aws:sns/topic:Topic":
            return { ...inputs, arn: `arn:aws:sns:us-west-2:123456789012:${inputs.name}` };
        case "aws:acm/certificate:Certificate":
            return {
                ...inputs, arn: `arn:aws:acm:us-west-2:123456789012:certificate/${name}`,
                domainValidationOptions: [{
                    domainName: inputs.domainName, resourceRecordName: `_x1.${inputs.domainName}.`, resourceRecordType: "CNAME",
                    resourceRecordValue: "_x2.acm-validations.aws.",
                }],
            };
        case "aws:route53/record:Record":
            return { ...inputs, fqdn: String(inputs.name).replace(/\.$/, "") };
        case "aws:efs/fileSystem:FileSystem":
            return { ...inputs, dnsName: `fs-${name}.efs.us-west-2.amazonaws.com`, arn: `arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-${name}` };
        case "aws:rds/instance:Instance":
            return { ...inputs, identifier: `${name}-4c2e`, address: `${name}.rds.amazonaws.com`, port: 3306, endpoint: `${name}.rds.amazonaws.com:3306` };
        case "aws:ec2/vpc:Vpc":
            return { ...inputs, cidrBlock: inputs.cidrBlock };
        case "aws:ecr/repository:Repository":
            return { ...inputs, arn: `arn:aws:ecr:us-west-2:123456789012:repository/${name}-7f3a`, repositoryUrl: `123456789012.dkr.ecr.us-west-2.amazonaws.com/${name}-7f3a` };
        case "command:local:Command": {
            // files/publish-release.sh's record, as its last line of stdout.
            const label = (inputs.environment as Record<string, string> | undefined)?.RELEASE_LABEL;
            return { ...inputs, stdout: JSON.stringify({ label, digest: mockReleaseDigest, imageId: mockReleaseImageId }) };
        }
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup":
            return { ...inputs, name: `${name}-group` };
        default:
            return inputs;
    }
}

/** What DescribeDBInstances answers for the stack's database (set by a test; empty: nothing known). */
export const databaseNow: Record<string, unknown> = {};

pulumi.runtime.setMocks({
    newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true });
        return { id: `${args.name}-id`, state: outputsFor(args.type, args.name, args.inputs) };
    },
    call(args) {
        invoked.push({ token: args.token, inputs: args.inputs });
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: mockAzs, zoneIds: mockAzs.map((_, i) => `usw2-az${i + 1}`) };
            case "aws:ec2/getAmi:getAmi": {
                const id = (args.inputs.filters as Array<{ values: string[] }>)[0].values[0];
                return { id, architecture: id === mockDebianArmAmi ? "arm64" : "x86_64" };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/deployer", userId: "AIDAMOCK" };
            case "aws:rds/getInstance:getInstance":
                return { ...args.inputs, ...databaseNow };
            case "aws:ec2/getVpc:getVpc":
                return { id: args.inputs.id, cidrBlock: "172.31.0.0/16" };
            default:
                return args.inputs;
        }
    },
}, "ha-web", "test", false);

/** True for an input the SDK serialized as a secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** Resolves an output (secret or not) to its value, for assertions. */
export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T | undefined> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => { resolve(v as T | undefined); return v; }));
}

/** Whether an output carries the secret bit. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** Each registered resource's dependencies (names of the resources it waits for), by resource name. */
export const dependencies = new Map<string, string[]>();

/**
 * Each registered resource's direct dependencies (explicit and through its inputs), as `type::name`
 * keys, by its own key: the graph the engine orders creates and deletes by.
 */
export const edges = new Map<string, string[]>();
/** `urn:pulumi:stack::project::parent$type::name` -> `type::name`. */
const keyOfUrn = (urn: string) => {
    const [, , types, name] = urn.split("::");
    return `${types.split("$").pop()}::${name}`;
};

/** The lifecycle options the engine would act on, by resource name. */
export interface LifecycleOptions {
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    customTimeouts?: { create: string; update: string; delete: string };
    /** The engine refuses to delete (and so to replace) a protected resource. */
    protect: boolean;
    /** A value whose change the engine answers with a replacement. */
    replacementTrigger?: unknown;
}
const lifecycle = new Map<string, LifecycleOptions>();
/** A recorded resource's lifecycle options (names alone are not unique: an instance and its attachment share one). */
export const lifecycleOf = (r: { type: string; name: string }) => lifecycle.get(`${r.type}::${r.name}`);
export const clearLifecycle = () => lifecycle.clear();

// Mocks hand `newResource` neither dependencies nor options, so read them off the registration requests.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getProtect(): boolean;
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): unknown };
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, cb) => {
    dependencies.set(req.getName(), req.getDependenciesList().map((urn) => urn.split("::").pop()!));
    edges.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList().map(keyOfUrn));
    const timeouts = req.getCustomtimeouts();
    lifecycle.set(`${req.getType()}::${req.getName()}`, {
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        ignoreChanges: req.getIgnorechangesList(),
        customTimeouts: timeouts && { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() },
        protect: req.getProtect(),
        replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
    });
    return register(req, cb);
};
