import { hostAppContainers } from "../stack/hosts";
import { hostNames } from "../stack/stackHosts";

/** Every running app container's id, sorted: unchanged means no app was restarted or replaced. */
export async function appContainerIds(): Promise<string> {
    const ids = await Promise.all(hostNames().map((h) => hostAppContainers(h, true)));
    return ids.flat().sort().join(",");
}
