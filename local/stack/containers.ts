import { createHash } from "crypto";
import { docker, dockerOk, run, dockerBinary } from "../run";

/** What a long-running container of the stack is: its `docker run` arguments after the name. */
export interface ContainerSpec {
    name: string;
    image: string;
    runArgs: string[];
    command?: string[];
    /** Content the container reads from mounted files: a change re-creates the container. */
    mountedContent?: string;
}

export type EnsureOutcome = "unchanged" | "started" | "created";

/**
 * Makes a container match its spec, touching nothing when it already does: the spec and the image
 * id are hashed into a label, so a changed spec or a rebuilt image re-creates the container.
 */
export async function ensureContainer(spec: ContainerSpec): Promise<EnsureOutcome> {
    const imageId = (await docker(["image", "inspect", "--format", "{{.Id}}", spec.image])).trim();
    const wanted = createHash("sha256").update(JSON.stringify({ spec, imageId })).digest("hex");
    const current = await inspect(spec.name, '{{index .Config.Labels "ha-web.spec"}} {{.State.Running}}');
    if (current) {
        const [hash, running] = current.split(" ");
        if (hash === wanted) {
            if (running === "true") return "unchanged";
            await docker(["start", spec.name]);
            return "started";
        }
        await docker(["rm", "-f", spec.name]);
    }
    await docker([
        "run", "-d", "--name", spec.name, "--label", `ha-web.spec=${wanted}`, "--label", "ha-web.local-stack=1",
        ...spec.runArgs, spec.image, ...(spec.command ?? []),
    ]);
    return "created";
}

/** A Go-template view of a container, or undefined when there is no such container. */
export async function inspect(name: string, format: string): Promise<string | undefined> {
    const result = await run(dockerBinary, ["inspect", "--format", format, name]);
    return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function containerExists(name: string): Promise<boolean> {
    return (await inspect(name, "{{.Id}}")) !== undefined;
}

export async function isRunning(name: string): Promise<boolean> {
    return (await inspect(name, "{{.State.Running}}")) === "true";
}

export async function removeContainer(name: string): Promise<boolean> {
    if (!(await dockerOk(["inspect", name]))) return false;
    await docker(["rm", "-f", name]);
    return true;
}

/** Ids of the containers (running or not) of a compose project on this machine's daemon. */
export async function projectContainers(project: string, onlyRunning: boolean): Promise<string[]> {
    const out = await docker(["ps", "-q", ...(onlyRunning ? [] : ["-a"]), "--filter", `label=com.docker.compose.project=${project}`]);
    return out.split("\n").filter((id) => id.length > 0);
}

/** Polls until `check` passes or the deadline; throws with `what` on timeout. */
export async function waitFor(what: string, timeoutSeconds: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (!(await check())) {
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutSeconds} s waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}
