import { projectContainers } from "../containers";
import { appProjects, hostNames } from "../stackLayout";

/** Every running app container's id, sorted: unchanged means no app was restarted or replaced. */
export async function appContainerIds(): Promise<string> {
    const ids = await Promise.all(hostNames.flatMap((h) => appProjects(h)).map((p) => projectContainers(p, true)));
    return ids.flat().sort().join(",");
}
