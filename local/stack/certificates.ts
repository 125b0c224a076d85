import * as fs from "fs";
import * as path from "path";
import { run } from "../run";

/**
 * A throwaway CA and a server certificate it signed for `address` (CN; the subject name clients
 * verify is `certifiedName`, by default the address as an IP subject name), written to `dir` as ca.pem, server.pem and server.key. Returns the CA PEM:
 * what a client needs, as RDS's CA bundle is for RDS. `certifiedName` is an OpenSSL subjectAltName
 * such as "DNS:localhost" or, for a server that is not who it claims, "DNS:db.example.internal".
 */
export async function makeServerCertificates(dir: string, address: string, certifiedName = `IP:${address}`): Promise<string> {
    const file = (name: string) => path.join(dir, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file("server.ext"), `subjectAltName=${certifiedName}\n`);
    const steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=ha-web test CA", "-keyout", file("ca.key"), "-out", file("ca.pem")],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${address}`, "-keyout", file("server.key"), "-out", file("server.csr")],
        ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
            "-days", "365", "-extfile", file("server.ext"), "-out", file("server.pem")],
    ];
    for (const args of steps) {
        const result = await run("openssl", args);
        if (result.code !== 0) throw new Error(`openssl ${args[0]} failed:\n${result.stderr}`);
    }
    return fs.readFileSync(file("ca.pem"), "utf8");
}
