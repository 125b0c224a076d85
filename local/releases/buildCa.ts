/**
 * The CA bundle every app image build gets as the BuildKit secret `npm_ca` (app/README.md, "Build
 * secret"): a package manager in the Dockerfile (npm, pip) reaches its registry through it, also
 * on a machine whose HTTPS goes through a TLS-intercepting proxy with a CA of its own. A secret,
 * so it never lands in a layer, and too big for a build argument anyway.
 */
export const buildCaSecretId = "npm_ca";

/** Debian's bundle of the CAs this machine trusts (update-ca-certificates adds a custom CA to it). */
export const systemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

/**
 * Which file, first that applies: appBuildCaFile in local.settings.json (checked to exist when
 * read); else NODE_EXTRA_CA_CERTS, where the person's Node finds the custom CA, when that file
 * exists; else the system bundle when it exists; else none (the build gets no secret).
 */
export function buildCaFile(setting: string | undefined, env: NodeJS.ProcessEnv, exists: (file: string) => boolean): string | undefined {
    if (setting !== undefined) return setting;
    return [env.NODE_EXTRA_CA_CERTS, systemCaBundle].find((file) => file !== undefined && file !== "" && exists(file));
}
