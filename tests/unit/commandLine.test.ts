import { expect } from "chai";
import { commands, Invocation, UsageError } from "../../local/commandLine/commands";
import { commandHelp, overallHelp } from "../../local/commandLine/help";
import { parseCommandLine } from "../../local/commandLine/parse";

/** A typed line (the words after `ha-web`) as parsed. */
function outcome(line: string, env: NodeJS.ProcessEnv = {}): Invocation {
    return parseCommandLine(line === "" ? [] : line.split(" "), env);
}

/** The message of the UsageError a typed line is refused with. */
function refusal(line: string, env: NodeJS.ProcessEnv = {}): string {
    try {
        outcome(line, env);
    } catch (error) {
        if (error instanceof UsageError) return error.message;
        throw error;
    }
    throw new Error(`ha-web ${line} was not refused`);
}

const deployHelp = commandHelp(commands.find((c) => c.name === "deploy")!);

describe("the ha-web command line (npx ha-web <command>)", () => {
    describe("typed -> invocation", () => {
        const rows: [string, Invocation][] = [
            ["", { command: "help", text: overallHelp() }],
            ["--help", { command: "help", text: overallHelp() }],
            ["-h", { command: "help", text: overallHelp() }],
            ["help", { command: "help", text: overallHelp() }],
            ["help deploy", { command: "help", text: deployHelp }],
            ["deploy --help", { command: "help", text: deployHelp }],
            ["deploy v5 --help", { command: "help", text: deployHelp }],
            ["up", { command: "up" }],
            ["deploy v5", { command: "deploy", label: "v5", broken: false }],
            ["deploy --version v9", { command: "deploy", label: "v9", broken: false }],
            ["deploy --version=v9", { command: "deploy", label: "v9", broken: false }],
            ["deploy v5 --broken", { command: "deploy", label: "v5", broken: true }],
            ["deploy --broken --version v5", { command: "deploy", label: "v5", broken: true }],
            ["rollback v1", { command: "rollback", label: "v1" }],
            ["releases", { command: "releases" }],
            ["status", { command: "status" }],
            ["stop-host host-a", { command: "stop-host", host: "host-a" }],
            ["start-host host-b", { command: "start-host", host: "host-b" }],
            ["restart-host host-a", { command: "restart-host", host: "host-a" }],
            ["drain-host host-a", { command: "drain-host", host: "host-a" }],
            ["undrain-host host-a", { command: "undrain-host", host: "host-a" }],
            ["cut-host host-b", { command: "cut-host", host: "host-b" }],
            ["slow-host host-a 500", { command: "slow-host", host: "host-a", delayMs: 500 }],
            ["heal-host host-a", { command: "heal-host", host: "host-a" }],
            ["cut-database", { command: "cut-database" }],
            ["heal-database", { command: "heal-database" }],
            ["failover-database", { command: "failover-database", seconds: 90 }],
            ["failover-database --seconds 20", { command: "failover-database", seconds: 20 }],
            ["down", { command: "down" }],
        ];
        for (const [typed, invocation] of rows) {
            it(`ha-web ${typed}`, () => expect(outcome(typed)).to.deep.equal(invocation));
        }

        it("has a row for every command", () => {
            const covered = new Set(rows.map(([typed]) => typed.split(" ")[0]));
            expect(commands.map((c) => c.name).filter((name) => !covered.has(name))).to.deep.equal([]);
        });
    });

    describe("typed -> refusal naming what was not understood and what to type", () => {
        const rows: [string, string][] = [
            ["foo", `ha-web has no command "foo": npx ha-web --help lists the commands`],
            ["local:deploy v5", `ha-web has no command "local:deploy": npx ha-web --help lists the commands`],
            ["--version", "ha-web takes a command first, got --version: npx ha-web --help lists the commands"],
            ["help foo", `ha-web has no command "foo"`],
            ["deploy", "deploy needs a release label, e.g. npx ha-web deploy v5 (npx ha-web deploy --help shows its usage)"],
            ["deploy --broken", "deploy needs a release label, e.g. npx ha-web deploy v5"],
            ["deploy --version", "deploy needs a value after --version: --version <label>"],
            ["deploy --version --broken", "deploy needs a value after --version: --version <label>"],
            ["deploy v5 --force", "deploy takes no option --force; it takes --version <label>, --broken"],
            ["deploy v5 -f", "deploy takes no option -f; it takes --version <label>, --broken"],
            ["deploy v5 --broken=yes", "deploy takes no value after --broken (got yes)"],
            ["deploy v5 v6", "deploy takes one release label, got v5 v6"],
            ["deploy v5 --version v6", "deploy takes one release label, got v5 and v6"],
            ["deploy v5;rm", `deploy cannot use that label: release label "v5;rm" is not one`],
            ["deploy broken", "deploy cannot use that label: `broken` is not a label: the marker is --broken, e.g. npx ha-web deploy v5 --broken"],
            ["rollback", "rollback takes one release label, e.g. npx ha-web rollback v1 (got: nothing)"],
            ["rollback v1 v2", "rollback takes one release label, e.g. npx ha-web rollback v1 (got: v1 v2)"],
            ["rollback v1 --broken", "rollback takes no option --broken (npx ha-web rollback --help shows its usage)"],
            ["status --all", "status takes no option --all (npx ha-web status --help shows its usage)"],
            ["status now", "status takes no words, got now"],
            ["stop-host", "stop-host takes one host, e.g. npx ha-web stop-host host-a"],
            ["stop-host host-c", `stop-host knows no host "host-c": the hosts are host-a, host-b`],
            ["slow-host host-a", "slow-host takes a host and a delay, e.g. npx ha-web slow-host host-a 500"],
            ["failover-database now", "failover-database takes no words, got now"],
            ["failover-database --seconds 0", `failover-database needs --seconds in whole seconds from 1 to 600 (RDS takes 60-120), got "0": e.g. npx ha-web failover-database --seconds 20`],
            ["failover-database --seconds 1.5", `got "1.5"`],
            ["slow-host host-a 500ms", `slow-host needs a delay in whole milliseconds from 1 to 60000, got "500ms": e.g. npx ha-web slow-host host-a 500`],
        ];
        for (const [typed, message] of rows) {
            it(`ha-web ${typed}`, () => expect(refusal(typed)).to.include(message));
        }
    });

    describe("under the npm alias (npm run local:<command>), where npm keeps flags typed before `--`", () => {
        const npm = (command: string, config: Record<string, string> = {}) => ({ npm_lifecycle_event: `local:${command}`, ...config });

        it("refuses a --broken npm took for itself rather than deploy a healthy build, saying what to type", () => {
            expect(refusal("deploy v5", npm("deploy", { npm_config_broken: "true" }))).to.equal(
                "npm took --broken for itself (it keeps flags typed before `--`); type:\n" +
                "  npx ha-web deploy v5 --broken\nor\n  npm run local:deploy -- v5 --broken");
        });

        it("says, when no label arrived, that npx ha-web deploy --version v5 takes the flag as typed", () => {
            expect(refusal("deploy", npm("deploy"))).to.equal(
                "deploy needs a release label, e.g. npx ha-web deploy v5 (npx ha-web deploy --help shows its usage)\n" +
                "npm keeps flags typed before `--` for itself; npx ha-web takes them as typed: npx ha-web deploy --version v5");
        });

        it("takes the words and the flags after `--` as the bin does", () => {
            expect(outcome("deploy --version v5 --broken", npm("deploy"))).to.deep.equal({ command: "deploy", label: "v5", broken: true });
        });

        it("leaves npm's config of another script or of npx alone", () => {
            expect(outcome("deploy v5", { npm_lifecycle_event: "npx", npm_config_broken: "true" }))
                .to.deep.equal({ command: "deploy", label: "v5", broken: false });
        });
    });

    describe("help", () => {
        it("lists every command in the overall help, and each command's help shows its usage and every option", () => {
            for (const spec of commands) {
                expect(overallHelp()).to.match(new RegExp(`^  ${spec.name}\\b`, "m"));
                const help = commandHelp(spec);
                expect(help.split("\n")[0]).to.match(new RegExp(`^usage: npx ha-web ${spec.name}\\b`));
                for (const option of [...spec.options.map((o) => o.name), "help"]) expect(help).to.include(`--${option}`);
            }
        });
    });
});
