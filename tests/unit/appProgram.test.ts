import { expect } from "chai";
import { ecrImage } from "../../components/plan/ecrImage";
import { hostPaths } from "../../components/plan/hostPaths";
import { isSecretInput, mockReleaseDigest, mockReleaseImageId, RecordedResource } from "./support/pulumiMocks";
import { ProgramRun, runProgram } from "./support/runProgram";

const ecrTag = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/shop:2.4.0";
const ecrReference = `${ecrTag}@sha256:${"c".repeat(64)}`;
const command = (run: ProgramRun, name: string): RecordedResource => run.ofType("command:remote:Command").find((c) => c.name === name)!;
const fileSet = (run: ProgramRun, name: string): RecordedResource => run.ofType("pulumi-nodejs:dynamic/ha-web:HostFiles").find((c) => c.name === name)!;
const unwrap = (value: unknown): unknown => (isSecretInput(value) ? (value as { value: unknown }).value : value);

describe("your own app in the Pulumi program (under mocks)", function () {
    this.timeout(60000);

    it("finds the ECR registry and repository of an image reference, and nothing for other registries", () => {
        expect(ecrImage(ecrReference)).to.deep.equal({
            registry: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
            repositoryArn: "arn:aws:ecr:eu-central-1:123456789012:repository/team/shop",
        });
        expect(ecrImage("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/shop@sha256:" + "a".repeat(64))?.repositoryArn)
            .to.equal("arn:aws-cn:ecr:cn-north-1:123456789012:repository/shop");
        expect(ecrImage(ecrTag)?.registry).to.equal("123456789012.dkr.ecr.eu-central-1.amazonaws.com");
        for (const other of ["ghcr.io/acme/shop:1", "docker.io/library/nginx:1.25", "registry.example.com/123456789012.dkr.ecr.x.amazonaws.com/a"]) {
            expect(ecrImage(other), other).to.equal(undefined);
        }
    });

    it("lets the hosts pull an ECR image: a read policy on that repository only, and the credential helper for that registry", async () => {
        const run = await runProgram({ appImage: ecrReference, appMigrateCommand: "" });
        const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === "logs-host-ecr-pull");
        expect(policies).to.have.length(1);
        const statements = JSON.parse(policies[0].inputs.policy as string).Statement as Array<{ Action: string | string[]; Resource: string }>;
        expect(statements.map((s) => s.Resource)).to.deep.equal(["*", "arn:aws:ecr:eu-central-1:123456789012:repository/team/shop"]);
        expect(statements[0].Action).to.equal("ecr:GetAuthorizationToken");
        expect(command(run, "setup-host-a-build-image").inputs.stdin).to.equal(`APP_IMAGE=${ecrReference}\nAPP_IMAGE_ID=\nECR_REGISTRY=123456789012.dkr.ecr.eu-central-1.amazonaws.com\n`);

        const elsewhere = await runProgram({ appImage: "ghcr.io/acme/shop:2.4.0@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", appMigrateCommand: "" });
        expect(elsewhere.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.name)).to.not.include("logs-host-ecr-pull");
        expect(command(elsewhere, "setup-host-a-build-image").inputs.stdin).to.equal(`APP_IMAGE=ghcr.io/acme/shop:2.4.0@sha256:${"c".repeat(64)}\nAPP_IMAGE_ID=\nECR_REGISTRY=\n`);
    });

    it("publishes a configured release once, from the deployer's machine, into an IMMUTABLE ECR repository the hosts may only read, and pulls it by digest", async () => {
        const run = await runProgram({ release: "v7" });
        const [repository] = run.ofType("aws:ecr/repository:Repository");
        expect(repository.inputs).to.include({ imageTagMutability: "IMMUTABLE" });
        const [publish] = run.ofType("command:local:Command");
        expect(publish.inputs.create).to.match(/^bash \S+\/files\/publish-release\.sh$/);
        const url = "123456789012.dkr.ecr.us-west-2.amazonaws.com/release-images-7f3a";
        expect(publish.inputs.environment).to.include({ RELEASE_LABEL: "v7", RELEASE_REPOSITORY: url, REGISTRY_LOGIN: "ecr" });
        for (const host of ["host-a", "host-b"]) {
            expect(command(run, `setup-${host}-build-image`).inputs.stdin)
                .to.equal(`APP_IMAGE=${url}@${mockReleaseDigest}\nAPP_IMAGE_ID=${mockReleaseImageId}\nECR_REGISTRY=123456789012.dkr.ecr.us-west-2.amazonaws.com\n`);
            expect(command(run, `setup-${host}-rollout`).inputs.stdin).to.equal(`APP_IMAGE=${url}@${mockReleaseDigest}\nAPP_IMAGE_ID=${mockReleaseImageId}\n`);
        }
        expect(run.ofType("pulumi-nodejs:dynamic/ha-web:HostFiles").map((f) => f.name)).to.not.include("setup-host-a-app-sources");
        const [pull] = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === "logs-host-ecr-pull");
        const statements = JSON.parse(pull.inputs.policy as string).Statement as Array<{ Action: string | string[]; Resource: string }>;
        expect(statements.map((s) => s.Resource)).to.deep.equal(["*", "arn:aws:ecr:us-west-2:123456789012:repository/release-images-7f3a"]);
        expect(statements.flatMap((s) => s.Action)).to.not.include.members(["ecr:PutImage", "ecr:InitiateLayerUpload"]);
    });

    it("puts each appSecrets entry in a secret file of its own (the env file says where), and a changed secret rolls the hosts again", async () => {
        const env = JSON.stringify({ GREETING: "hello" });
        const run = await runProgram({ appEnv: env, appSecrets: JSON.stringify({ API_KEY: "sk-live-4f2a" }) }, ["appSecrets"]);
        const config = fileSet(run, "setup-host-a-host-config");
        expect(isSecretInput(config.inputs.secretFiles)).to.equal(true);
        const secretFiles = unwrap(config.inputs.secretFiles) as Array<{ path: string; content: string }>;
        const envFile = secretFiles.find((f) => f.path === hostPaths.envFile)!;
        expect(envFile.content).to.contain("GREETING=hello\n").and.contain("API_KEY_FILE=/run/secrets/API_KEY\n").and.not.contain("sk-live-4f2a");
        expect(secretFiles.find((f) => f.path === `${hostPaths.secretsDir}/API_KEY`)!.content).to.equal("sk-live-4f2a");
        for (const resource of run.resources) {
            const plainInputs = Object.entries(resource.inputs).filter(([, v]) => !isSecretInput(v));
            expect(JSON.stringify(plainInputs), resource.name).to.not.contain("sk-live-4f2a");
        }
        const rotated = await runProgram({ appEnv: env, appSecrets: JSON.stringify({ API_KEY: "sk-live-9b1c" }) }, ["appSecrets"]);
        expect(JSON.stringify(command(rotated, "setup-host-b-rollout").inputs.triggers)).to.not.equal(JSON.stringify(command(run, "setup-host-b-rollout").inputs.triggers));
        expect(command(rotated, "setup-host-a-migrate").inputs.triggers).to.deep.equal(command(run, "setup-host-a-migrate").inputs.triggers);
    });

    it("refuses appSecrets kept in plain text, before anything is created", async () => {
        let message = "";
        await runProgram({ appSecrets: JSON.stringify({ API_KEY: "sk-live-4f2a" }) }).catch((e: Error) => { message = e.message; });
        expect(message).to.match(/appSecrets.API_KEY is stored in plain text/).and.not.contain("sk-live-4f2a");
    });
});
