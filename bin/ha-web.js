#!/usr/bin/env node
// `npx ha-web <command>` (package.json's bin): the local stack's CLI, local/cli.ts, run by ts-node
// as the npm scripts run it (transpile only: `npm run build` is the type check), from any cwd.
const path = require("path");

require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../local/cli.ts");
