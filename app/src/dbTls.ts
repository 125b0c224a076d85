/**
 * TLS to the database, verified like a browser verifies a site: the server's certificate must chain
 * to the configured CA AND name the host we dialled. Without `verifyIdentity` mysql2 checks the
 * chain only (it passes Node a `checkServerIdentity` that accepts anything: mysql2 3.24
 * lib/base/connection.js `startTLS`), so any certificate from the same CA, e.g. another database's
 * from AWS's regional RDS CA, would be accepted.
 */
export function verifiedTls(ca: string): { ca: string; rejectUnauthorized: true; verifyIdentity: true } {
    return { ca, rejectUnauthorized: true, verifyIdentity: true };
}

/**
 * Node's name-mismatch error (ERR_TLS_CERT_ALTNAME_INVALID; mysql2 re-codes it HANDSHAKE_SSL_ERROR
 * and keeps Node's message), reworded to say what it means for the database and what to do.
 */
export function describeTlsNameError(error: unknown, host: string): string | undefined {
    const { code, message } = error as { code?: string; message?: string };
    const nameMismatch = code === "ERR_TLS_CERT_ALTNAME_INVALID" || /does not match certificate's altnames/.test(message ?? "");
    if (!nameMismatch) return undefined;
    return `the database server's TLS certificate is not for ${host} (${message}); `
        + "connect by the name its certificate carries (on AWS: the RDS endpoint), or the server is not the database it claims to be";
}
