import * as pulumi from "@pulumi/pulumi";
import { DirectorySpec, FileSetInputs, FileSetState, FileSpec, fileSetChanges, fileSetProblems, hasChanges } from "./fileSet";
import { placeFileSet, removeFileSet } from "./placement";
import { SshTarget } from "./ssh";

/**
 * Pulumi hands a dynamic provider values it does not know yet (at preview) as this string
 * (@pulumi/pulumi runtime/rpc.ts `unknownValue`).
 */
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function containsUnknown(value: unknown): boolean {
    return JSON.stringify(value).includes(unknown);
}

/**
 * The dynamic provider. Pulumi serializes these functions (and what they reference) into the
 * state and runs them in its dynamic provider host: they take everything from their inputs and
 * capture no value of the program (pulumi/pulumi#8265), and they `require` modules inside
 * (see ssh.ts).
 *
 * - create: place every entry. update: write what changed, delete what left the set.
 * - diff: by hash and mode only; a new `machine` replaces (create on the new one, then delete the
 *   old, which leaves files a newer placement owns).
 * - The provider host does not accept secrets (cmd/dynamic-provider: `setAcceptsecrets(false)`); the
 *   engine marks an output secret when its input held a secret (annotateSecrets in
 *   pkg/resource/plugin/provider_plugin.go), so `secretFiles` and the connection's key stay encrypted.
 */
export const hostFilesProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: FileSetInputs, news: FileSetInputs) {
        const problems = containsUnknown(news) ? [] : fileSetProblems(news);
        return { inputs: news, failures: problems.map((reason) => ({ property: "files", reason })) };
    },
    async diff(_id: string, olds: FileSetState, news: FileSetInputs) {
        if (containsUnknown(news)) {
            return { changes: true, replaces: olds.machine === news.machine ? [] : ["machine"] };
        }
        const changes = fileSetChanges(olds, news);
        return { changes: hasChanges(changes), replaces: changes.replace ? ["machine"] : [], deleteBeforeReplace: false };
    },
    async create(inputs: FileSetInputs) {
        const state = await placeFileSet(inputs);
        return { id: `${inputs.hostName}-${inputs.name}-${state.owner}`, outs: state };
    },
    async update(_id: string, olds: FileSetState, news: FileSetInputs) {
        return { outs: await placeFileSet(news, olds) };
    },
    async delete(_id: string, state: FileSetState) {
        await removeFileSet(state);
    },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface HostFilesArgs {
    name: string;
    hostName: string;
    connection: pulumi.Input<Inputs<SshTarget>>;
    machine: pulumi.Input<string>;
    files: pulumi.Input<pulumi.Input<Inputs<FileSpec>>[]>;
    secretFiles: pulumi.Input<pulumi.Input<Inputs<FileSpec>>[]>;
    directories: pulumi.Input<Inputs<DirectorySpec>>[];
}

/** A set of files on one host, placed over SSH by our own provider (see `hostFilesProvider`). */
export class HostFiles extends pulumi.dynamic.Resource {
    constructor(resourceName: string, args: HostFilesArgs, opts?: pulumi.CustomResourceOptions) {
        super(hostFilesProvider, resourceName, {
            ...args,
            // The whole list, so no secret content or hash shows in a diff or in the state.
            secretFiles: pulumi.secret(args.secretFiles),
            owner: undefined,
        }, opts, "ha-web", "HostFiles");
    }
}
