import { expect } from "chai";
import { dockerBinary } from "../../local/run";
import { requireDockerEngine } from "../support/dockerEngine";

describe("the Docker tests' prerequisite: they fail without Docker, never skip", () => {
    it("passes with this machine's engine", async () => {
        await requireDockerEngine();
    });

    it("fails, saying how to install it, when there is no docker client", async () => {
        const error = await requireDockerEngine("/nonexistent/docker").then(() => undefined, (e: Error) => e);
        expect(error?.message).to.equal("Docker is not installed (no /nonexistent/docker): the integration tests need it; scripts/setup-machine.sh installs it");
    });

    it("fails when the client is there and no engine answers it", async () => {
        const error = await requireDockerEngine(dockerBinary, { DOCKER_HOST: "unix:///nonexistent/docker.sock" }).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/^the Docker engine does not answer \(docker info exited 1: .*\): start it/);
    });
});
