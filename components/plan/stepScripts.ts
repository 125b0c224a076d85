import { rejoinWindowSeconds } from "./healthCheck";
import { HostFiles } from "./hostFiles";
import { HostPaths } from "./hostPaths";
import { renderFile } from "./render";

/** Ends the quoted heredocs that carry files inside write-config.sh. */
const endOfFile = "HA_WEB_END_OF_FILE";

export function waitForBootScript(): string {
    return renderFile("wait-for-boot.sh", {});
}

/** Also what the local stack runs inside `docker build` to make its host image. */
export function bootstrapScript(hostname: string): string {
    return renderFile("bootstrap.sh", { hostname });
}

/** The app image's non-root user (`node` in app/Dockerfile): it must be able to write the shared data folder. */
export const appUid = 1000;

export function mountSharedScript(paths: HostPaths): string {
    return renderFile("mount-shared.sh", { mountPoint: paths.sharedMount, appUid: String(appUid) });
}

export interface BuildOptions {
    /** Base image other than the Dockerfile's default ("" = default). */
    baseImage?: string;
    /** PEM text of a CA npm must trust (TLS-intercepting proxies). */
    npmCa?: string;
}

export function buildImageScript(paths: HostPaths, options: BuildOptions): string {
    return renderFile("build-image.sh", {
        appDir: paths.appDir,
        currentImageFile: paths.currentImageFile,
        baseImage: options.baseImage ?? "",
    });
}

export function pullImageScript(paths: HostPaths): string {
    return renderFile("pull-image.sh", { currentImageFile: paths.currentImageFile });
}

export function writeConfigScript(files: HostFiles, paths: HostPaths, dbTlsCaUrl: string): string {
    return renderFile("write-config.sh", {
        etcDir: paths.etcDir,
        envFile: paths.envFile,
        dbCaFile: paths.dbCaFile,
        dbTlsCaUrl,
        drainFlag: paths.drainFlag,
        rejoinSeconds: String(rejoinWindowSeconds()),
        composeFile: paths.composeFile,
        nginxSite: paths.nginxSite,
        nginxMainConfig: paths.nginxMainConfig,
        nginxPidFile: paths.nginxPidFile,
        nginxAccessLog: paths.nginxAccessLog,
        deployCommand: paths.deployCommand,
        drainCommand: paths.drainCommand,
        undrainCommand: paths.undrainCommand,
        sharedScriptsDir: paths.sharedScriptsDir,
        composeContent: heredocBody("compose file", files.composeFile),
        deployContent: heredocBody("deploy script", files.deployScript),
        drainContent: heredocBody("drain script", files.drainScript),
        undrainContent: heredocBody("undrain script", files.undrainScript),
        nginxSiteContent: heredocBody("nginx site", files.nginxSite),
        nginxMainConfigContent: heredocBody("nginx main configuration", files.nginxMainConfig),
    });
}

export function createAppDbScript(paths: HostPaths): string {
    return renderFile("create-app-db.sh", { currentImageFile: paths.currentImageFile, dbCaFile: paths.dbCaFile });
}

export function rolloutScript(paths: HostPaths): string {
    return renderFile("rollout.sh", { deployCommand: paths.deployCommand });
}

/** A file's text as the body of a quoted heredoc: it must not contain the terminator line. */
function heredocBody(what: string, text: string): string {
    const body = text.replace(/\n$/, "");
    if (body.split("\n").includes(endOfFile)) {
        throw new Error(`the ${what} contains the line ${endOfFile}, which would end its heredoc early`);
    }
    return body;
}
