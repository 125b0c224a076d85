import { parseArgs } from "util";
import { CommandSpec, commands, Invocation, optionUsage, refuse, UsageError } from "./commands";
import { cliName, haWeb } from "./haWeb";
import { commandHelp, overallHelp } from "./help";

/**
 * A command line (the words after `ha-web`) as an invocation, its help, or a UsageError that names
 * what was not understood and says what to type:
 *
 * | typed (after ha-web)            | result                                             |
 * | ------------------------------- | -------------------------------------------------- |
 * | nothing, --help, -h, help       | the list of commands                               |
 * | help <command>, <command> --help| that command's usage                               |
 * | <unknown command>, a flag first | refused: names it, `npx ha-web --help`             |
 * | <command> --<unknown flag>      | refused: names it and the flags the command takes  |
 * | <command> --<option> (no value) | refused: the option needs a value                  |
 * | <command> --<flag>=<value>      | refused: the flag takes no value                   |
 * | <command> <words and options>   | the command's own reading (commands.ts)            |
 *
 * Under `npm run local:<command>` (npm_lifecycle_event), npm keeps every flag typed before `--`
 * for itself and exports it as npm_config_<flag>: such a flag of the command is refused, saying
 * what to type, rather than run the command without it. (`npm run local:deploy --version v5` never
 * gets here: npm prints its own version.)
 */
export function parseCommandLine(args: string[], env: NodeJS.ProcessEnv): Invocation {
    const [first, ...rest] = args;
    if (first === undefined || first === "--help" || first === "-h") return { command: "help", text: overallHelp() };
    if (first === "help") {
        if (rest.length === 0) return { command: "help", text: overallHelp() };
        return { command: "help", text: commandHelp(knownCommand(rest[0])) };
    }
    if (first.startsWith("-")) throw new UsageError(`ha-web takes a command first, got ${first}: ${haWeb("--help")} lists the commands`);
    const spec = knownCommand(first);
    const { values, positionals, tokens } = parseArgs({
        args: rest,
        options: { help: { type: "boolean", short: "h" }, ...optionsOf(spec) },
        allowPositionals: true,
        strict: false,
        tokens: true,
    });
    for (const token of tokens) {
        if (token.kind !== "option") continue;
        const option = spec.options.find((o) => o.name === token.name);
        if (token.name === "help" && token.value === undefined) continue;
        if (!option) refuse(spec.name, `takes no option ${token.rawName}${takes(spec)}`);
        if (option.value && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))) {
            refuse(spec.name, `needs a value after ${token.rawName}: ${token.rawName} ${option.value}`);
        }
        if (!option.value && token.value !== undefined) refuse(spec.name, `takes no value after ${token.rawName} (got ${token.value})`);
    }
    if (values.help) return { command: "help", text: commandHelp(spec) };
    const read = () => spec.read(positionals, values as Record<string, string | boolean>);
    if (env.npm_lifecycle_event !== `local:${spec.name}` || spec.options.length === 0) return read();
    refuseFlagsNpmKept(spec, positionals, env);
    try {
        return read();
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        // A word missing may be a flag npm kept for itself.
        throw new UsageError(`${error.message}\nnpm keeps flags typed before \`--\` for itself; ${cliName} takes them as typed: ` +
            haWeb(spec.name, ...spec.options.filter((o) => o.value).map((o) => `--${o.name} ${o.example}`)));
    }
}

function knownCommand(name: string): CommandSpec {
    const spec = commands.find((c) => c.name === name);
    if (!spec) throw new UsageError(`ha-web has no command ${JSON.stringify(name)}: ${haWeb("--help")} lists the commands`);
    return spec;
}

function optionsOf(spec: CommandSpec): Record<string, { type: "string" | "boolean" }> {
    return Object.fromEntries(spec.options.map((o) => [o.name, { type: o.value ? "string" : "boolean" }]));
}

function takes(spec: CommandSpec): string {
    const options = spec.options.map(optionUsage);
    return options.length === 0 ? "" : `; it takes ${options.join(", ")}`;
}

function refuseFlagsNpmKept(spec: CommandSpec, words: string[], env: NodeJS.ProcessEnv): void {
    const kept = spec.options.filter((o) => env[`npm_config_${o.name}`] !== undefined);
    if (kept.length === 0) return;
    const flags = kept.map((o) => `--${o.name}${o.value ? ` ${env[`npm_config_${o.name}`]}` : ""}`);
    const typed = [...words, ...flags].join(" ");
    throw new UsageError(`npm took ${kept.map((o) => `--${o.name}`).join(", ")} for itself (it keeps flags typed before \`--\`); type:\n` +
        `  ${haWeb(spec.name, typed)}\nor\n  npm run local:${spec.name} -- ${typed}`);
}
