import { labelProblem } from "./releases";

/**
 * The words after `deploy` and `rollback`. npm keeps every flag typed before `--` for itself:
 * `npm run local:deploy --version v5` prints npm's own version and never runs this command, and
 * `npm run local:deploy v5 --broken` passes only `v5` (npm records the flag as its config
 * `broken`, in the environment as `npm_config_broken`). So the release is a word (`v5`), the
 * marker too (`broken`), and the `--` forms keep working:
 *
 * | typed                                | words reaching here      | result                     |
 * | ------------------------------------ | ------------------------ | -------------------------- |
 * | npm run local:deploy v5              | v5                       | v5                         |
 * | npm run local:deploy v5 broken       | v5 broken                | v5, broken                 |
 * | npm run local:deploy -- v5 --broken  | v5 --broken              | v5, broken                 |
 * | npm run local:deploy -- --version v5 | --version v5             | v5                         |
 * | npm run local:deploy v5 --broken     | v5 (+npm_config_broken)  | refused: says what to type |
 * | npm run local:deploy --broken        | none (+npm_config_broken)| refused: says what to type |
 * | npm run local:deploy                 | none                     | refused: says what to type |
 * | npm run local:deploy --version v5    | npm prints its version; this command never runs       |
 */
export interface DeployRequest {
    label: string;
    broken: boolean;
}

const deployUsage = [
    "  npm run local:deploy v5            the app tree as it is now, as release v5",
    "  npm run local:deploy v5 broken     the same sources with the drills' broken marker (never healthy)",
    "npm keeps flags typed before `--` for itself (`npm run local:deploy --version v5` prints npm's version);",
    "after `--` they reach this command: npm run local:deploy -- --version v5 --broken",
].join("\n");

export function parseDeployArgs(args: string[], env: NodeJS.ProcessEnv): DeployRequest {
    if (env.npm_config_broken !== undefined) {
        const label = args.find((a) => !a.startsWith("-")) ?? "v5";
        throw new Error(`npm took --broken for itself (it keeps flags typed before \`--\`); type:\n` +
            `  npm run local:deploy ${label} broken\nor\n  npm run local:deploy -- ${label} --broken`);
    }
    let label: string | undefined;
    let broken = false;
    for (let i = 0; i < args.length; i++) {
        const word = args[i];
        if (word === "broken" || word === "--broken") {
            broken = true;
        } else if (word === "--version") {
            const value = args[++i];
            if (value === undefined || value.startsWith("-")) throw new Error(`--version needs a label after it:\n${deployUsage}`);
            label = onlyLabel(label, value);
        } else if (word.startsWith("-")) {
            throw new Error(`deploy does not know ${word}; it takes a label and the word broken:\n${deployUsage}`);
        } else {
            label = onlyLabel(label, word);
        }
    }
    if (label === undefined) {
        throw new Error(`deploy needs a release label (nothing reached it: a flag npm kept for itself?):\n${deployUsage}`);
    }
    return { label: validLabel(label), broken };
}

/** `rollback <label>`: one recorded release's label. */
export function parseRollbackArgs(args: string[]): string {
    if (args.length !== 1 || args[0].startsWith("-")) {
        throw new Error(`rollback takes one release label, e.g. npm run local:rollback v1 (got: ${args.join(" ") || "nothing"}); ` +
            "npm run local:releases lists them");
    }
    return validLabel(args[0]);
}

function onlyLabel(label: string | undefined, word: string): string {
    if (label !== undefined) throw new Error(`deploy takes one release label, got ${label} and ${word}:\n${deployUsage}`);
    return word;
}

function validLabel(label: string): string {
    const problem = labelProblem(label);
    if (problem) throw new Error(problem);
    return label;
}
