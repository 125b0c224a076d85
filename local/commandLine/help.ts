import { CommandSpec, commands, optionUsage } from "./commands";
import { cliName, haWeb } from "./haWeb";

/**
 * The help texts, from the command table (commands.ts): `ha-web --help` and `ha-web <command>
 * --help` print them, and docs/cli.md is made of them (cliDoc.ts), so neither can drift.
 */

/** `ha-web --help`: every command, one line each. */
export function overallHelp(): string {
    return [
        `usage: ${cliName} <command> [words] [options]`,
        "",
        "The local HA stack on this machine: two hosts behind a load balancer, a database, and the app",
        "rolled out host after host. Every command is idempotent and prints what it does, on which host,",
        "and how long it took.",
        "",
        "commands:",
        ...columns(commands.map((c) => [synopsis(c), c.says])),
        "",
        `${haWeb("<command>", "--help")} (or ${haWeb("help", "<command>")}) shows one command's usage.`,
        "`npm run local:<command>` runs the same commands; npm keeps flags typed before `--` for itself,",
        "so there they go after it: npm run local:deploy -- --version v5",
    ].join("\n");
}

/** `ha-web <command> --help`: its usage, what it does, its options. */
export function commandHelp(spec: CommandSpec): string {
    const options = [...spec.options, { name: "help", says: "this text" }];
    return [
        `usage: ${haWeb(synopsis(spec))}`,
        "",
        `${spec.says[0].toUpperCase()}${spec.says.slice(1)}.`,
        ...spec.details,
        "",
        "options:",
        ...columns(options.map((o) => [optionUsage(o), o.says])),
    ].join("\n");
}

function synopsis(spec: CommandSpec): string {
    return [spec.name, spec.words].filter(Boolean).join(" ");
}

/** Two columns, the first padded to its widest cell, indented by two. */
function columns(rows: string[][]): string[] {
    const width = Math.max(...rows.map(([first]) => first.length));
    return rows.map(([first, second]) => `  ${first.padEnd(width)}  ${second}`);
}
