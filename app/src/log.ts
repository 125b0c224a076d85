/** One JSON object per line on stdout, the format the hosts' docker log driver keeps and ships. */
export function logEvent(event: string, fields: Record<string, unknown> = {}): void {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

/** Removes a secret from text that came from elsewhere (driver errors), in case it was echoed. */
export function redact(text: string, secret: string): string {
    return secret === "" ? text : text.split(secret).join("***");
}
