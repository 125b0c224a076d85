/** What a route answers, and the helpers that build those answers. */
export interface Reply {
    status: number;
    body: Buffer;
    contentType: string;
    /** Extra headers, as name/value pairs in one flat list (http.ServerResponse#writeHead's raw form). */
    headers?: readonly string[];
    /** Ends the connection after this reply (a request body is still unread on it). */
    close?: boolean;
}

/** What a handler knows of its request: the id segment of a parameterised path, and the body it read. */
export interface RouteRequest {
    param: string;
    body: Buffer;
}

export type Handler = (request: RouteRequest) => Reply | Promise<Reply>;

/**
 * One path's methods. A route with `maxBody` reads the request body (413 past it) and hands it to
 * the handler; every other route discards the body unread.
 */
export interface Route {
    methods: ReadonlyMap<string, Handler>;
    /** The 405 for any other method, with the `Allow` header RFC 9110 15.5.6 requires. */
    methodNotAllowed: Reply;
    maxBody?: number;
}

export function route(methods: Record<string, Handler>, maxBody?: number): Route {
    const map = new Map(Object.entries(methods));
    const methodNotAllowed = { ...text(405, "method not allowed"), headers: ["Allow", [...map.keys()].join(", ")] };
    return { methods: map, methodNotAllowed, maxBody };
}

/** GET, and HEAD answered by the same handler (the body is dropped when sent). */
export const readOnly = (handler: Handler): Route => route({ GET: handler, HEAD: handler });

const plainText = "text/plain; charset=utf-8";
export const text = (status: number, body: string): Reply => ({ status, body: Buffer.from(body), contentType: plainText });
export const json = (status: number, value: unknown, headers?: readonly string[]): Reply =>
    ({ status, body: Buffer.from(JSON.stringify(value)), contentType: "application/json", headers });
