import * as path from "path";
import { repoRoot } from "../stack/stackLayout";
import { commands } from "./commands";
import { commandHelp, overallHelp } from "./help";

/** docs/cli.md: the help texts as a page (`npm run docs:cli` writes it; a unit test fails when it differs). */
export const cliDocFile = path.join(repoRoot, "docs", "cli.md");

export function renderCliDoc(): string {
    return [
        "# The ha-web command line",
        "",
        "For whoever runs ha-web's local stack on their own machine: the two hosts, load balancer and",
        "database in containers that the drills use, to deploy a release, roll back, break a host and watch",
        "the stack heal. Each command below is its `--help`, word for word; `npm run docs:cli` writes this",
        "page from them.",
        "",
        "```text",
        overallHelp(),
        "```",
        ...commands.flatMap((spec) => ["", `## ${spec.name}`, "", "```text", commandHelp(spec), "```"]),
        "",
    ].join("\n");
}
