import * as yaml from "js-yaml";

/**
 * The entries of a map key kept in plain text in a stack's settings file (Pulumi.<stack>.yaml).
 * `pulumi config set --secret --path 'appSecrets.A' x` keeps `A: {secure: ...}` inside the map, and
 * one such entry makes the engine report the whole key secret (pulumi/pulumi
 * sdk/go/common/resource/config/value.go: `UnmarshalYAML` takes `secure` from the object's
 * `MarshalString`, true when any value inside it is secure), so an entry added later without
 * `--secret` (`B: y`) is only visible here.
 */
export function plainTextEntries(stackFileText: string, fullKey: string): string[] {
    const file = yaml.load(stackFileText) as { config?: Record<string, unknown> } | undefined;
    const map = file?.config?.[fullKey];
    if (typeof map !== "object" || map === null || Array.isArray(map) || isSecure(map)) return [];
    return Object.entries(map).filter(([, value]) => !isSecure(value)).map(([name]) => name);
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value;
}
