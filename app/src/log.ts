/** One JSON object per line on stdout, the format the hosts' docker log driver keeps and ships. */
export function logEvent(event: string, fields: Record<string, unknown> = {}): void {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

/** Removes a secret from text that came from elsewhere (driver errors), in case it was echoed. */
export function redact(text: string, secret: string): string {
    return secret === "" ? text : text.split(secret).join("***");
}

/** Longest client-supplied text a log line carries: a client cannot make lines arbitrarily long. */
const maxLoggedChars = 200;

/** Client-supplied text for a log line: bounded; JSON.stringify escapes whatever it contains. */
export function clientText(text: string | undefined): string | undefined {
    return text === undefined || text.length <= maxLoggedChars ? text : `${text.slice(0, maxLoggedChars)}...`;
}

/** An error as log fields: the stack stays one JSON string (escaped newlines), never multi-line text. */
export function errorFields(error: unknown): Record<string, string> {
    if (error instanceof Error) return { error: `${error.name}: ${error.message}`, stack: error.stack ?? "" };
    return { error: String(error) };
}

/** An error as one line of text, its code first (`ECONNREFUSED: connect ...`) when the message lacks it. */
export function describeError(error: unknown): string {
    const { code, message } = error as { code?: string; message?: string };
    const text = message || String(error);
    return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
