import { projectContainers } from "../stack/containers";
import { appProjects, hostNames } from "../stack/stackLayout";

/** Every running app container's id, sorted: unchanged means no app was restarted or replaced. */
export async function appContainerIds(): Promise<string> {
    const ids = await Promise.all(hostNames.flatMap((h) => appProjects(h)).map((p) => projectContainers(p, true)));
    return ids.flat().sort().join(",");
}
