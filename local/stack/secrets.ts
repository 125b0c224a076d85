import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { stateDir } from "./stackLayout";

const secretsDir = path.join(stateDir, "secrets");

/**
 * A password generated on first use and kept in a 0600 file under .local-stack/secrets, so re-runs
 * reuse it (idempotent) and it never appears in output, arguments or image layers.
 */
export function secret(name: string): string {
    const file = secretFile(name);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, randomBytes(24).toString("hex"), { mode: 0o600, flag: "wx" });
    }
    return fs.readFileSync(file, "utf8").trim();
}

/** Replaces a secret with a new random value (a password rotation), as an operator's `pulumi config set --secret` would. */
export function replaceSecret(name: string): void {
    secret(name);
    fs.writeFileSync(secretFile(name), randomBytes(24).toString("hex"), { mode: 0o600 });
}

export function secretFile(name: string): string {
    return path.join(secretsDir, name);
}
