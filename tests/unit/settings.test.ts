import { expect } from "chai";
import fc from "fast-check";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { secretMapShapeOf } from "../../components/plan/appSettings";
import { defaultCanarySettings } from "../../components/plan/canarySettings";
import { amiArchitecture, amiLookupCommand, checkAzCount, ConfigSource, defaults, pinnedAmiLookup, readSettings } from "../../components/plan/settings";
import { exitStatusOf } from "../support/exitStatus";

/** The keys every stack must set; a test leaves one out by setting it to undefined. */
const required = { amiId: "ami-0123456789abcdef0", sshAllowedCidrs: "[\"203.0.113.7/32\"]" };

/** Secret values are set in `secrets` (by name) and, for maps, in `secretMaps`: only their shape reaches the settings. */
function source(values: Record<string, string | undefined>, secrets: string[] = [], files: string[] = [], secretMaps: Record<string, string> = {}): ConfigSource {
    const all: Record<string, string | undefined> = { ...required, ...values };
    return {
        get: (key) => all[key],
        region: "eu-west-1",
        hasSecret: (key) => secrets.includes(key),
        secretMapShape: (key) => secretMapShapeOf(secretMaps[key]),
        // The sample app's directory exists, as in the repository.
        fileExists: (p) => p === "app/Dockerfile" || files.includes(p),
    };
}

function problemsOf(values: Record<string, string | undefined>): string {
    try {
        readSettings(source(values));
    } catch (e) {
        return (e as Error).message;
    }
    return "";
}

describe("settings (config validation)", () => {
    it("looks the pinned AMI up among Debian's own images only, account 136693071363 (wiki.debian.org/Cloud/AmazonEC2Image), and tells to pin one from there", () => {
        expect(pinnedAmiLookup("ami-0123456789abcdef0")).to.deep.include({ owners: ["136693071363"], filters: [{ name: "image-id", values: ["ami-0123456789abcdef0"] }] });
        expect(amiLookupCommand("t3.small", "eu-west-1")).to.include("--owners 136693071363");
    });

    it("applies the documented defaults when nothing is set", () => {
        const s = readSettings(source({}));
        expect(s).to.deep.include({ hostCount: 2, azCount: 2, instanceType: "t3.small", vpcCidr: "10.20.0.0/16" });
        expect(s.db).to.deep.include({ multiAz: true, backupRetentionDays: 7, deletionProtection: true, engineVersion: "8.4" });
        expect(s.existingNetwork).to.equal(undefined);
    });

    it("declares the same defaults in Pulumi.yaml as the program applies", () => {
        const project = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
        const declared = Object.fromEntries(Object.entries(project.config).map(([k, v]) => [k, v.default]));
        expect(declared).to.deep.equal(defaults);
    });

    it("lists every problem in one error, each naming its key", () => {
        const message = problemsOf({ hostCount: "1", azCount: "two", vpcCidr: "10.0.0.0/8", dbMultiAz: "yes", dbUser: "admin" });
        for (const key of ["hostCount", "azCount", "vpcCidr", "dbMultiAz", "dbUser"]) {
            expect(message).to.contain(` - ${key}`);
        }
        expect(message.split("\n - ")).to.have.length(6);
    });

    it("rolls one host at a time after the first by default, and takes a batch size up to hostCount - 1", () => {
        expect(readSettings(source({})).rolloutBatchSize).to.equal(1);
        expect(readSettings(source({ hostCount: "4", rolloutBatchSize: "3" })).rolloutBatchSize).to.equal(3);
        expect(problemsOf({ hostCount: "4", rolloutBatchSize: "4" })).to.contain("rolloutBatchSize must be a whole number from 1 to 3").and.contain("got 4");
        expect(problemsOf({ rolloutBatchSize: "0" })).to.contain("rolloutBatchSize must be a whole number from 1 to 25, got \"0\"");
    });

    it("rejects bad values with the allowed ones in the message", () => {
        expect(problemsOf({ hostCount: "2.5" })).to.match(/hostCount must be a whole number from 2 to 26/);
        expect(problemsOf({ instanceType: "big" })).to.match(/instanceType must be an EC2 instance type/);
        expect(problemsOf({ amiId: "debian" })).to.match(/amiId must be an AMI id/);
        expect(problemsOf({ sshAllowedCidrs: "[]" })).to.match(/sshAllowedCidrs must be a non-empty list/);
        expect(problemsOf({ sshAllowedCidrs: "0.0.0.0/0" })).to.match(/sshAllowedCidrs must be a list of strings/);
        expect(problemsOf({ certificateArn: "arn:aws:iam::123:cert" })).to.match(/certificateArn must be an ACM certificate ARN/);
        expect(problemsOf({ dbBackupRetentionDays: "0" })).to.match(/dbBackupRetentionDays must be a whole number from 1 to 35/);
        expect(problemsOf({ dbName: "my-app" })).to.match(/dbName must be a database name/);
        expect(problemsOf({ appBuildCaFile: "/nowhere/ca.pem" })).to.match(/appBuildCaFile: no file at \/nowhere\/ca.pem/);
    });

    it("needs the private key secret when an operator brings a public key", () => {
        const key = "ssh-ed25519 AAAAC3Nza op@example";
        expect(problemsOf({ sshPublicKey: key })).to.match(/sshPrivateKey/);
        expect(readSettings(source({ sshPublicKey: key }, ["sshPrivateKey"])).sshPublicKey).to.equal(key);
    });

    it("takes an existing network only as a complete set of VPC, public and private subnets", () => {
        expect(problemsOf({ existingVpcId: "vpc-0123abcd" })).to.match(/go together/);
        expect(problemsOf({
            existingVpcId: "vpc-0123abcd",
            existingPublicSubnetIds: "[\"subnet-0aaa1111\"]",
            existingPrivateSubnetIds: "[\"subnet-0ccc3333\", \"subnet-0ddd4444\"]",
        })).to.match(/existingPublicSubnetIds needs at least 2 subnets/);
    });

    it("checks the AZ count against the region's zones", () => {
        expect(() => checkAzCount(3, ["a", "b"], "eu-north-9")).to.throw(/azCount is 3 but eu-north-9 has 2/);
        expect(() => checkAzCount(2, ["a", "b"], "eu-north-9")).not.to.throw();
    });

    it("defaults the alarms and logs, with no domain and no alert address", () => {
        const s = readSettings(source({}));
        expect(s.monitoring).to.deep.equal({
            alertEmail: undefined, http5xxPerMinute: 10, p99LatencyMs: 2000, dbCpuPercent: 80,
            dbFreeStorageGb: 2, dbConnections: 60, efsIoLimitPercent: 90, diskUsedPercent: 80,
        });
        expect(s.logs).to.deep.equal({ retentionDays: 30, albAccessLogs: true, albAccessLogDays: 90 });
        expect(s.domain).to.equal(undefined);
    });

    it("reads every alarm threshold, log setting, domain and alert address", () => {
        const s = readSettings(source({
            alertEmail: "ops@example.com", alarm5xxPerMinute: "3", alarmP99LatencyMs: "500", alarmDbCpuPercent: "70",
            alarmDbFreeStorageGb: "5", alarmDbConnections: "40", alarmEfsIoLimitPercent: "75", alarmDiskUsedPercent: "70",
            logRetentionDays: "14", albAccessLogs: "false", albAccessLogDays: "30",
            domainName: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ",
        }));
        expect(s.monitoring).to.deep.equal({
            alertEmail: "ops@example.com", http5xxPerMinute: 3, p99LatencyMs: 500, dbCpuPercent: 70,
            dbFreeStorageGb: 5, dbConnections: 40, efsIoLimitPercent: 75, diskUsedPercent: 70,
        });
        expect(s.logs).to.deep.equal({ retentionDays: 14, albAccessLogs: false, albAccessLogDays: 30 });
        expect(s.domain).to.deep.equal({ name: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
    });

    it("rejects bad alarm, log and domain values, naming each key", () => {
        const message = problemsOf({
            alertEmail: "ops", alarm5xxPerMinute: "0", alarmP99LatencyMs: "fast", alarmDbCpuPercent: "101",
            alarmDbConnections: "-1", alarmEfsIoLimitPercent: "0", alarmDiskUsedPercent: "100", logRetentionDays: "10", albAccessLogs: "yes",
            albAccessLogDays: "0", domainName: "Example.com", hostedZoneId: "zone",
        });
        for (const key of ["alertEmail", "alarm5xxPerMinute", "alarmP99LatencyMs", "alarmDbCpuPercent", "alarmDbConnections",
            "alarmEfsIoLimitPercent", "alarmDiskUsedPercent", "logRetentionDays", "albAccessLogs", "albAccessLogDays", "domainName", "hostedZoneId"]) {
            expect(message).to.contain(` - ${key}`);
        }
        expect(message).to.match(/logRetentionDays must be one of 1, 3, 5, 7, 14, 30/);
        expect(problemsOf({ alarmDbFreeStorageGb: "20" })).to.match(/alarmDbFreeStorageGb \(20\) must be below dbAllocatedStorageGb \(20\)/);
    });

    it("takes domainName and hostedZoneId only together", () => {
        expect(problemsOf({ domainName: "www.example.com" })).to.match(/domainName and hostedZoneId go together/);
        expect(problemsOf({ hostedZoneId: "Z0123456789ABCDEFGHIJ" })).to.match(/domainName and hostedZoneId go together/);
    });

    it("picks the arm64 AMI for Graviton instance types only", () => {
        expect(amiArchitecture("t4g.small")).to.equal("arm64");
        expect(amiArchitecture("c7gn.large")).to.equal("arm64");
        expect(amiArchitecture("t3.small")).to.equal("x86_64");
        expect(amiArchitecture("m7i.large")).to.equal("x86_64");
    });

    describe("the app's own keys", () => {
        const appProblems = (values: Record<string, string>, secretMaps: Record<string, string> = {}) => {
            try {
                readSettings(source(values, [], [], secretMaps));
            } catch (e) {
                return (e as Error).message;
            }
            return "";
        };

        it("defaults to the sample app: app/, /health, its migration tool, no settings or secrets", () => {
            expect(readSettings(source({})).app).to.deep.equal({
                dir: "app", healthPath: "/health", env: {}, secretNames: [], migrateCommand: "node dist/tools/migrate.js",
                canary: { seconds: 30, minRequests: 100, tooFewRequests: "pass", max5xxPoints: 1, maxP99Ratio: 1.5, p99SlackMs: 20 },
                limits: { memoryMb: 512, pids: 256 }, maxRequestBodyKb: 64,
            });
        });

        it("takes the canary's window and thresholds, and names each bad one with its value and range", () => {
            const canary = readSettings(source({ canarySeconds: "45", canaryMinRequests: "20", canaryTooFewRequests: "wait", canaryMax5xxPoints: "0.5",
                canaryMaxP99Ratio: "2", canaryP99SlackMs: "0" })).app.canary;
            expect(canary).to.deep.equal({ seconds: 45, minRequests: 20, tooFewRequests: "wait", max5xxPoints: 0.5, maxP99Ratio: 2, p99SlackMs: 0 });
            const problems = problemsOf({ canarySeconds: "2", canaryMinRequests: "1.5", canaryTooFewRequests: "skip", canaryMaxP99Ratio: "0.9", canaryP99SlackMs: "" });
            expect(problems).to.contain('canarySeconds must be a whole number from 5 to 600, got "2"');
            expect(problems).to.contain('canaryMinRequests must be a whole number from 1 to 1000000, got "1.5"');
            expect(problems).to.contain('canaryTooFewRequests must be "pass" (go on, saying so) or "wait" (watch longer), got "skip"');
            expect(problems).to.contain('canaryMaxP99Ratio must be a number from 1 to 100, got "0.9"');
            expect(problems).to.contain('canaryP99SlackMs must be a whole number from 0 to 60000, got ""');
        });

        it("takes settings (numbers and booleans as text), secret names and a migration command", () => {
            const s = readSettings(source(
                { appEnv: JSON.stringify({ GREETING: "hello #1 ${X}", RETRIES: 3, VERBOSE: true }), appHealthPath: "/ready", appMigrateCommand: "alembic upgrade head", appMemoryMb: "1024", appPidsLimit: "100", appMaxRequestBodyKb: "10240" },
                [], [], { appSecrets: JSON.stringify({ API_KEY: "s3cret" }) },
            ));
            expect(s.app).to.deep.equal({
                dir: "app", healthPath: "/ready", env: { GREETING: "hello #1 ${X}", RETRIES: "3", VERBOSE: "true" },
                secretNames: ["API_KEY"], migrateCommand: "alembic upgrade head", canary: defaultCanarySettings(),
                limits: { memoryMb: 1024, pids: 100 }, maxRequestBodyKb: 10240,
            });
        });

        it("rejects container limits that are not whole numbers or too small for an app to start, naming each", () => {
            const message = appProblems({ appMemoryMb: "32", appPidsLimit: "lots" });
            expect(message).to.contain('appMemoryMb must be a whole number of at least 64, such as 512; got "32"');
            expect(message).to.contain('appPidsLimit must be a whole number of at least 16, such as 256; got "lots"');
        });

        it("rejects a request body limit outside 1 KB to 100 MB, naming the value", () => {
            expect(appProblems({ appMaxRequestBodyKb: "0" })).to.contain('appMaxRequestBodyKb must be a whole number from 1 to 102400, such as 64; got "0"');
            expect(appProblems({ appMaxRequestBodyKb: "204800" })).to.contain('appMaxRequestBodyKb must be a whole number from 1 to 102400, such as 64; got "204800"');
        });

        it("runs no migration when appMigrateCommand is empty", () => {
            expect(readSettings(source({ appMigrateCommand: "" })).app.migrateCommand).to.equal(undefined);
        });

        it("rejects names that are not variable names or that the platform sets, naming each", () => {
            const message = appProblems({ appEnv: JSON.stringify({ "MY-KEY": "x", PORT: "80", DB_PASSWORD: "x", docker_host: "x", "9LIVES": "x" }) });
            expect(message).to.contain('appEnv: "MY-KEY" is not a usable environment variable name');
            expect(message).to.contain('appEnv: "9LIVES" is not a usable environment variable name');
            expect(message).to.contain("appEnv: PORT is set by the platform");
            expect(message).to.contain("appEnv: DB_PASSWORD is set by the platform");
            expect(message).to.contain("appEnv: docker_host is set by the platform");
        });

        it("rejects the names ha-web-deploy cannot pass: bash's read-only variables, and PYTHON* that docker-compose's Python reads", () => {
            // What bash (which exports each setting in ha-web-deploy) holds read-only, asked of bash itself.
            const readOnly = execFileSync("bash", ["-c", "readonly -p"], { encoding: "utf8" })
                .split("\n").map((line) => /^declare -\w+ (\w+)/.exec(line)?.[1]).filter((n): n is string => n !== undefined);
            expect(readOnly).to.include("UID");
            const names = [...readOnly, "PYTHONHOME", "PYTHONPATH"];
            const message = appProblems({ appEnv: JSON.stringify(Object.fromEntries(names.map((n) => [n, "x"]))) });
            for (const name of names) expect(message, name).to.contain(`appEnv: ${name} is set by the platform`);
            // PYTHONHOME as docker-compose would see it: it no longer starts (and does without it).
            expect(exitStatusOf("docker-compose", ["version"]), "docker-compose without PYTHONHOME").to.equal(0);
            expect(exitStatusOf("docker-compose", ["version"], { PYTHONHOME: "x" }), "docker-compose with PYTHONHOME").to.not.equal(0);
        });

        it("rejects, in any case, every name that steers docker-compose, the Docker client, Python, the dynamic loader, glibc or TLS (generated)", () => {
            // Names those programs document reading; each prefix with any suffix is theirs too.
            const steering = [
                "COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY",
                "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH",
                "GLIBC_TUNABLES", "LOCPATH", "NLSPATH", "HOSTALIASES", "RES_OPTIONS", "OPENSSL_CONF", "OPENSSL_MODULES",
                "SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTPS_PROXY",
                "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "ENV", "BASH_ENV", "IFS", "XDG_CONFIG_HOME",
            ];
            const prefixes = ["COMPOSE_", "DOCKER_", "PYTHON", "LD_", "OPENSSL_", "SSL_", "MALLOC_", "BASH_", "XDG_"];
            const randomCase = (name: string, flips: boolean[]) =>
                [...name].map((c, i) => (flips[i % flips.length] ? c.toLowerCase() : c)).join("");
            const name = fc.oneof(
                fc.constantFrom(...steering),
                fc.tuple(fc.constantFrom(...prefixes), fc.stringMatching(/^[A-Z0-9_]{0,12}$/)).map(([p, rest]) => p + rest),
            );
            fc.assert(fc.property(name, fc.array(fc.boolean(), { minLength: 1 }), (base, flips) => {
                const generated = randomCase(base, flips);
                expect(appProblems({ appEnv: JSON.stringify({ [generated]: "x" }) })).to.contain(`appEnv: ${generated} is set by the platform`);
            }), { numRuns: 300 });
        });

        it("rejects multi-line and structured values, and a name in both maps, never showing a secret's value", () => {
            const message = appProblems(
                { appEnv: JSON.stringify({ CERT: "line1\nline2", LIST: [1], SHARED: "x" }) },
                { appSecrets: JSON.stringify({ TOKEN: "top-secret\nsecond-line", SHARED: "y", NESTED: { a: "hidden-value" } }) },
            );
            expect(message).to.contain("appEnv.CERT must be one line");
            expect(message).to.contain("appEnv.LIST must be text, a number or true/false");
            expect(message).to.contain("appSecrets.TOKEN must be one line (its value is not shown)");
            expect(message).to.contain("appSecrets.NESTED must be text, a number or true/false (its value is not shown)");
            expect(message).to.contain("SHARED is in both appEnv and appSecrets");
            expect(message).to.not.match(/top-secret|second-line|hidden-value/);
        });

        it("rejects appSecrets entries stored in plain text, and maps that are not maps", () => {
            const plain = source({}, [], [], {});
            plain.secretMapShape = () => secretMapShapeOf(JSON.stringify({ API_KEY: "x", TOKEN: "y" }), (name) => name === "TOKEN");
            expect(() => readSettings(plain)).to.throw(/appSecrets.TOKEN is stored in plain text: set it again as a secret, pulumi config set --secret --path 'appSecrets.TOKEN' <value>/)
                .and.not.match(/API_KEY is stored/);
            expect(appProblems({ appEnv: "[\"A=1\"]" })).to.match(/appEnv must be a map of names to values: pulumi config set --path 'appEnv.GREETING' hello/);
            expect(appProblems({}, { appSecrets: "\"x\"" })).to.match(/appSecrets must be a map .*--secret --path 'appSecrets.API_KEY'/);
        });

        it("rejects health paths nginx cannot match literally, / and the load balancer's /ping", () => {
            for (const bad of ["health", "/", "/ping", "/a b", "/x;y", "/{x}"]) {
                expect(appProblems({ appHealthPath: bad }), bad).to.match(/appHealthPath must be a URL path other than \/ and \/ping/);
            }
            expect(appProblems({ appHealthPath: "/_status/ready-v2.json" })).to.equal("");
        });

        it("takes a release label, and refuses one that is not a Docker tag or comes with appImage, saying what to do", () => {
            expect(problemsOf({ release: "v5" })).to.equal("");
            expect(problemsOf({ release: "v5/evil" })).to.contain('release: release label "v5/evil" is not one');
            expect(problemsOf({ release: "v5", appImage: `registry.example.com/shop:1@sha256:${"d".repeat(64)}`, appMigrateCommand: "" }))
                .to.contain("release (v5) and appImage are both set").and.contain("pulumi config rm appImage");
        });

        it("refuses an appImage named by a tag, with the command that resolves its digest", () => {
        const problems = problemsOf({ appImage: "registry.example.com/shop:1", appMigrateCommand: "" });
        expect(problems).to.contain("appImage must name the image by its digest (…@sha256:<64 hex digits>), got \"registry.example.com/shop:1\"");
        expect(problems).to.contain("docker buildx imagetools inspect registry.example.com/shop:1 --format '{{json .Manifest.Digest}}'");
        expect(problemsOf({ appImage: `registry.example.com/shop:1@sha256:${"d".repeat(64)}`, appMigrateCommand: "" })).to.equal("");
    });

    it("needs the app's directory unless a prebuilt image is set, and a one-line migration command", () => {
            expect(appProblems({ appDir: "apps/shop", appMigrateCommand: "" })).to.match(/appDir: no Dockerfile in apps\/shop/);
            expect(appProblems({ appDir: "apps/shop", appImage: "registry.example.com/shop:1@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", appMigrateCommand: "" })).to.equal("");
        });

        it("needs a migration command for an app of one's own: the sample's would run node in an image that may have none", () => {
            expect(appProblems({ appImage: "registry.example.com/shop:1@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc" })).to.match(/appMigrateCommand is required with your own appImage: .*such as "python3 migrate.py", or "" for none/);
            expect(appProblems({ appDir: "app2" })).to.match(/appMigrateCommand is required with your own appDir/);
            expect(readSettings(source({ appImage: "registry.example.com/shop:1@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", appMigrateCommand: "./migrate" })).app.migrateCommand).to.equal("./migrate");
            expect(appProblems({ appMigrateCommand: "a\nb" })).to.match(/appMigrateCommand must be one line/);
        });
    });
});
