import { delayProblem } from "../faults/faultPlan";
import { labelProblem } from "../releases/releases";
import { defaultFailoverSeconds, failoverSecondsProblem } from "../stack/failoverTiming";
import { hostNames } from "../stack/stackHosts";
import { haWeb } from "./haWeb";

/** What a command line asks for, read and checked; cli.ts runs it. */
export type Invocation =
    | { command: "help"; text: string }
    | { command: "up" | "releases" | "status" | "down" | "cut-database" | "heal-database" }
    | { command: "deploy"; label: string; broken: boolean }
    | { command: "rollback"; label: string }
    | { command: HostCommand; host: string }
    | { command: "slow-host"; host: string; delayMs: number }
    | { command: "failover-database"; seconds: number };

type HostCommand = "stop-host" | "start-host" | "restart-host" | "drain-host" | "undrain-host" | "cut-host" | "heal-host";

export interface OptionSpec {
    name: string;
    /** The value's placeholder for an option that takes one (`--version <label>`); none for a flag. */
    value?: string;
    /** A value to show in examples. */
    example?: string;
    says: string;
}

/** An option as typed: `--name` or `--name <value>`. */
export function optionUsage(option: OptionSpec): string {
    return `--${option.name}${option.value ? ` ${option.value}` : ""}`;
}

export interface CommandSpec {
    name: string;
    /** The words after the command's name, as its usage shows them. */
    words: string;
    /** One line, for the list of commands. */
    says: string;
    /** More lines for the command's own help. */
    details: string[];
    options: OptionSpec[];
    /** The invocation from the command's words and options (checked already: known, with values). */
    read(words: string[], options: Record<string, string | boolean>): Invocation;
}

/** A command line this tool refuses: its message says what to type instead (exit 2). */
export class UsageError extends Error {}

const host = "<host>";

export const commands: CommandSpec[] = [
    {
        name: "up",
        words: "",
        says: "build what is missing, start everything, roll out the current release",
        details: [
            "On a new stack it rolls out the app tree (appDir in local.settings.json, app/ by default) as",
            "release v1. A second run changes nothing.",
        ],
        options: [],
        read: (words) => noWords("up", words, { command: "up" }),
    },
    {
        name: "deploy",
        words: "<label> [--broken]",
        says: "the app tree as it is now, as release <label>, host after host",
        details: [
            "A label names one content for good: a label of other content is refused, saying what to",
            "type instead; the same label for the same content rolls it out again. Refused before",
            "touching any host while a host is stopped, drained or out of rotation. Ctrl-C: no further",
            "host step starts; it prints where each host is and the next step.",
        ],
        options: [
            { name: "version", value: "<label>", example: "v5", says: "the release label, instead of the word <label>" },
            { name: "broken", says: "the drills' build whose server cannot start (its health never passes)" },
        ],
        read(words, options) {
            if (words.length > 1) refuse("deploy", `takes one release label, got ${words.join(" ")}`);
            const typed = [words[0], options.version as string | undefined].filter((w) => w !== undefined);
            if (typed.length === 0) refuse("deploy", "needs a release label, e.g. " + haWeb("deploy", "v5"));
            if (typed.length === 2) refuse("deploy", `takes one release label, got ${typed.join(" and ")}`);
            return { command: "deploy", label: validLabel("deploy", typed[0]), broken: options.broken === true };
        },
    },
    {
        name: "rollback",
        words: "<label>",
        says: "a release recorded earlier, whose image still exists, host after host",
        details: [`Whatever the app tree holds now. ${haWeb("releases")} lists the releases.`],
        options: [],
        read(words) {
            if (words.length !== 1) refuse("rollback", `takes one release label, e.g. ${haWeb("rollback", "v1")} (got: ${words.join(" ") || "nothing"})`);
            return { command: "rollback", label: validLabel("rollback", words[0]) };
        },
    },
    {
        name: "releases",
        words: "",
        says: "each release: label, content, image, when built, which hosts serve it, last rollout",
        details: ["And the content of the app tree now, with the label that names it if one does."],
        options: [],
        read: (words) => noWords("releases", words, { command: "releases" }),
    },
    {
        name: "status",
        words: "",
        says: "hosts, load balancer, versions, each app's health path; the next step, if one is due",
        details: [
            "The health column is the answer of the live app's own port to the health path its release",
            "was deployed with (appHealthPath), as the deploy asks it.",
        ],
        options: [],
        read: (words) => noWords("status", words, { command: "status" }),
    },
    hostCommand("stop-host", "hard stop: the host and its app containers are killed", []),
    hostCommand("start-host", "start a stopped host; waits until it is back in rotation", ["A drained host stays out of rotation until undrain-host."]),
    hostCommand("restart-host", "reboot: everything on the host stops and comes back by itself", []),
    hostCommand("drain-host", "graceful maintenance: out of rotation until undrain-host", []),
    hostCommand("undrain-host", "back into rotation after drain-host; waits until it is UP", []),
    hostCommand("cut-host", "the host's packets are dropped (power loss, as the load balancer sees it)", []),
    {
        name: "slow-host",
        words: `${host} <ms>`,
        says: "the host answers <ms> milliseconds late (1 to 60000)",
        details: ["New connections to its nginx go through a delay proxy; heal-host removes it."],
        options: [],
        read(words) {
            if (words.length !== 2) refuse("slow-host", `takes a host and a delay, e.g. ${haWeb("slow-host", "host-a", "500")}`);
            const problem = delayProblem(words[1]);
            if (problem) refuse("slow-host", `${problem}: e.g. ${haWeb("slow-host", "host-a", "500")}`);
            return { command: "slow-host", host: validHost("slow-host", words[0]), delayMs: Number(words[1]) };
        },
    },
    hostCommand("heal-host", "removes the host's fault (cut-host or slow-host)", []),
    {
        name: "cut-database",
        words: "",
        says: "the database's packets are dropped (it keeps running)",
        details: [],
        options: [],
        read: (words) => noWords("cut-database", words, { command: "cut-database" }),
    },
    {
        name: "heal-database",
        words: "",
        says: "the database's packets pass again",
        details: [],
        options: [],
        read: (words) => noWords("heal-database", words, { command: "heal-database" }),
    },
    {
        name: "failover-database",
        words: "",
        says: "a Multi-AZ failover: the standby becomes primary, the endpoint's name moves to it",
        details: [
            "The primary's packets are dropped (no goodbye); the standby is promoted; the old primary is",
            `rebuilt from it as the new standby; the name moves after --seconds (default ${defaultFailoverSeconds}, as RDS's`,
            "60-120 s). status shows which server is primary. Run it again to fail back.",
        ],
        options: [{ name: "seconds", value: "<s>", example: "20", says: `seconds from the cut until the name moves (default ${defaultFailoverSeconds})` }],
        read(words, options) {
            if (words.length > 0) refuse("failover-database", `takes no words, got ${words.join(" ")}`);
            const typed = options.seconds === undefined ? String(defaultFailoverSeconds) : String(options.seconds);
            const problem = failoverSecondsProblem(typed);
            if (problem) refuse("failover-database", `${problem}: e.g. ${haWeb("failover-database", "--seconds", "20")}`);
            return { command: "failover-database", seconds: Number(typed) };
        },
    },
    {
        name: "down",
        words: "",
        says: "remove everything the stack started, its releases with it (images stay as build cache)",
        details: [],
        options: [],
        read: (words) => noWords("down", words, { command: "down" }),
    },
];

function hostCommand(name: HostCommand, says: string, details: string[]): CommandSpec {
    return {
        name, words: host, says, details, options: [],
        read(words) {
            if (words.length !== 1) refuse(name, `takes one host, e.g. ${haWeb(name, hostNames()[0])}`);
            return { command: name, host: validHost(name, words[0]) };
        },
    };
}

export function refuse(command: string, problem: string): never {
    throw new UsageError(`${command} ${problem} (${haWeb(command, "--help")} shows its usage)`);
}

function noWords(command: string, words: string[], invocation: Invocation): Invocation {
    if (words.length > 0) refuse(command, `takes no words, got ${words.join(" ")}`);
    return invocation;
}

function validHost(command: string, name: string): string {
    if (!hostNames().includes(name)) refuse(command, `knows no host ${JSON.stringify(name)}: the hosts are ${hostNames().join(", ")}`);
    return name;
}

function validLabel(command: string, label: string): string {
    const problem = labelProblem(label);
    if (problem) refuse(command, `cannot use that label: ${problem}`);
    return label;
}
