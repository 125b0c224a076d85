import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { runProgram } from "../unit/support/runProgram";

/**
 * A dynamic provider as the program serializes it, loaded the way Pulumi's dynamic provider host
 * loads it (@pulumi/pulumi/cmd/dynamic-provider/index.js: `requireFromString(__provider).handler()`),
 * from the `__provider` string registered on the resource named `resourceName` of `type`: so what
 * a test runs is what Pulumi would run. Needs the Pulumi mocks (tests/unit/support/pulumiMocks).
 */
export async function serializedProvider(type: string, resourceName: string): Promise<pulumi.dynamic.ResourceProvider> {
    const run = await runProgram({ sshAllowedCidrs: '["203.0.113.5/32"]' });
    const resource = run.ofType(type).find((r) => r.name === resourceName);
    expect(resource, `${type} ${resourceName} among ${run.ofType(type).map((r) => r.name).join(", ")}`).to.not.equal(undefined);
    const serialized = resource!.inputs.__provider;
    expect(serialized, "the serialized provider").to.be.a("string");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Pulumi's own loader
    const requireFromString = require("require-from-string") as (code: string) => { handler(): pulumi.dynamic.ResourceProvider };
    return requireFromString(serialized as string).handler();
}
