/**
 * RDS identifiers (instances, snapshots): 1-255 letters, digits and hyphens, starting with a letter,
 * no two hyphens in a row, no hyphen at the end. Stack names may also hold `_` and `.`, and may
 * start with a digit, so names built from them are sanitized here.
 */
export function rdsIdentifier(...parts: string[]): string {
    const joined = parts.join("-").toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-+|-+$/g, "");
    const lettered = /^[a-z]/.test(joined) ? joined : `x-${joined}`;
    // Cut from the front part: the last part (a random suffix) keeps each name unique.
    const maxLength = 255;
    if (lettered.length <= maxLength) {
        return lettered;
    }
    const last = parts[parts.length - 1].toLowerCase();
    return `${lettered.slice(0, maxLength - last.length - 1).replace(/-+$/, "")}-${last}`;
}
