/**
 * A command as a person types it: every suggestion the local stack prints (a refusal's remedy, the
 * next step after Ctrl-C, a status warning) is in these words, so it can be copied as it is.
 */
export const cliName = "npx ha-web";

/** `haWeb("deploy", "v5")` -> `npx ha-web deploy v5`. */
export function haWeb(command: string, ...words: string[]): string {
    return [cliName, command, ...words].join(" ");
}
