import { HostStatus } from "../../../local/stack/status";

/** A host running, UP, healthy, serving `version` on its blue colour. */
export function serving(host: string, version: string): HostStatus {
    return { host, container: "running", drained: false, target: "UP", colours: { blue: version }, live: { colour: "blue", version }, healthPath: "/health", health: 200 };
}
