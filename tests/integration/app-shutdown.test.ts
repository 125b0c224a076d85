import { expect } from "chai";
import * as net from "net";
import { request } from "../../local/http/probe";
import { startApp } from "../support/appProcess";

/**
 * A request whose body is still uploading: the server has it (headers parsed, handler running)
 * but answers only once the body ends, so it is genuinely in flight when SIGTERM arrives.
 */
class SlowUpload {
    private readonly socket: net.Socket;
    readonly response: Promise<string>;

    constructor(port: number) {
        this.socket = net.connect(port, "127.0.0.1");
        this.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
        this.response = new Promise((resolve, reject) => {
            let raw = "";
            this.socket.setEncoding("utf8");
            this.socket.on("data", (chunk: string) => { raw += chunk; });
            this.socket.on("end", () => resolve(raw));
            this.socket.on("error", reject);
        });
    }

    finish(): void {
        this.socket.write("0\r\n\r\n");
    }
}

describe("app graceful shutdown", () => {
    it("finishes every request in flight when SIGTERM arrives, refuses new ones, and exits 0", async () => {
        const app = await startApp({
            DB_HOST: "127.0.0.1", DB_PORT: "9", DB_NAME: "app", DB_USER: "app", DB_PASSWORD: "x",
            APP_VERSION: "shutdown-test", SHARED_DIR: "/tmp",
        });
        const uploads = Array.from({ length: 5 }, () => new SlowUpload(app.port));
        // The server handles sockets in arrival order: once this answer is back it holds all five requests.
        expect((await request(`${app.baseUrl}/ping`)).status).to.equal(200);

        app.child.kill("SIGTERM");
        await app.waitForLine('"event":"shutdown_started"');
        // Refused, or reset if the kernel accepted it while the listening socket was closing: never served.
        const refused = await request(`${app.baseUrl}/ping`).then(() => "answered", (error: NodeJS.ErrnoException) => error.code);
        expect(["ECONNREFUSED", "ECONNRESET"]).to.include(refused);

        for (const upload of uploads) upload.finish();
        const responses = await Promise.all(uploads.map((upload) => upload.response));
        for (const response of responses) {
            expect(response).to.match(/^HTTP\/1\.1 200 OK\r\n/);
            expect(response).to.match(/\r\nConnection: close\r\n/i);
            expect(response).to.match(/\r\n\r\nhello world$/);
        }
        expect(await app.exited).to.equal(0);
        expect(app.lines.some((line) => line.includes('"outcome":"drained"'))).to.equal(true);
    });
});
