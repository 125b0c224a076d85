/**
 * The request target as nginx forwards it: origin-form, `/path?query`. Split literally, never
 * through `new URL()`: that parser reads `//x:99999/` as a host and throws, and it would make
 * `//x/health` the path `/health` while nginx routes it as `/x/health`. A target nginx never
 * sends (absolute-form, `*`, `//...`) is refused with 400, so the app and nginx always agree on
 * which path a request is for.
 */
export type RequestTarget = { ok: true; path: string } | { ok: false };

export function parseRequestTarget(target: string | undefined): RequestTarget {
    if (target === undefined || !target.startsWith("/") || target.startsWith("//")) return { ok: false };
    const queryStart = target.indexOf("?");
    return { ok: true, path: queryStart === -1 ? target : target.slice(0, queryStart) };
}
