import * as fs from "fs";
import { cliDocFile, renderCliDoc } from "./cliDoc";

/** `npm run docs:cli`: docs/cli.md from the CLI's help texts. */
fs.writeFileSync(cliDocFile, renderCliDoc());
console.log(`wrote ${cliDocFile}`);
