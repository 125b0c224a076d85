import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandStep } from "../../components/plan/step";
import { Interrupted, interruptible } from "../../local/executor/interrupt";
import { runHostPlans } from "../../local/executor/stepExecutor";
import { waitFor } from "../../local/stack/containers";
import { startSshHost, SshHost } from "../support/sshHost";

/** Where the steps leave their marks on the host. */
const marks = "/tmp/ha-web-interrupt-test";

const step = (name: string, command: string, waitsFor: string[] = []): CommandStep<string> =>
    ({ kind: "command", name, command, waitsFor, triggers: [] });

/**
 * Ctrl-C during a deploy as it happens: `interruptible` around the real executor (runHostPlans),
 * whose steps run over SSH on a real host, and a real SIGINT or SIGTERM sent to this process.
 */
describe("Ctrl-C during a deploy (interruptible, the real executor, a real SSH host, real signals)", function () {
    this.timeout(180_000);
    let host: SshHost;
    let workDir: string;

    before(async () => { host = await startSshHost(); });
    after(async () => host?.stop());
    beforeEach(async () => {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-web-interrupt-"));
        await host.shell(`rm -rf ${marks}`);
    });
    afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

    const access = async () => ({ target: host.target, machine: host.container });
    const deploy = (steps: CommandStep<string>[]) => (signal?: AbortSignal) => runHostPlans([{ host: "host-a", steps }], { access, workDir, signal });
    const report = async () => `host-a has: ${(await host.shell(`ls ${marks} | tr '\\n' ' '`)).trim()}`;
    const hasMark = async (name: string) => (await host.shell(`test -e ${marks}/${name} && echo yes || echo no`)).trim() === "yes";
    /** A step that marks its start, works for `seconds`, then marks its end. */
    const slowStep = (name: string, seconds: number, waitsFor: string[] = []) =>
        step(name, `mkdir -p ${marks} && touch ${marks}/${name}-started && sleep ${seconds} && touch ${marks}/${name}-done`, waitsFor);

    it("on SIGINT during a step, lets it finish, starts no further step, and ends with Interrupted (exit 130) saying where the host is", async () => {
        const outcome = interruptible(deploy([slowStep("first", 2), slowStep("second", 0, ["first"])]), report)
            .then(() => undefined, (error: unknown) => error);
        await waitFor("the first step to start on the host", 30, () => hasMark("first-started"));
        // Twice at once, as npm delivers one Ctrl-C: the second must not quit the process.
        process.kill(process.pid, "SIGINT");
        process.kill(process.pid, "SIGINT");
        const error = await outcome;
        expect(error).to.be.instanceOf(Interrupted);
        expect((error as Interrupted).exitCode).to.equal(130);
        expect((error as Interrupted).message).to.equal("SIGINT: interrupted.\nhost-a has: first-done first-started");
        expect(await hasMark("second-started"), "the second step started after the signal").to.equal(false);
        // The executor recorded the finished step: the next deploy skips it.
        const again = await deploy([slowStep("first", 2)])();
        expect(again.map((o) => o.result)).to.deep.equal(["skipped"]);
    });

    it("returns as usual when SIGTERM comes after the last step started: it stopped nothing", async () => {
        const outcome = interruptible(deploy([slowStep("only", 2)]), report);
        await waitFor("the step to start on the host", 30, () => hasMark("only-started"));
        process.kill(process.pid, "SIGTERM");
        const outcomes = await outcome;
        expect(outcomes.map((o) => `${o.step} ${o.result}`)).to.deep.equal(["only ran"]);
        expect(await hasMark("only-done")).to.equal(true);
    });

    it("passes a failed step on unchanged when no signal came, and stops listening for signals afterwards", async () => {
        const listening = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
        const error = await interruptible(deploy([step("broken", "echo 'no such release' >&2; exit 7")]), report)
            .then(() => undefined, (e: Error) => e);
        expect(error).to.be.instanceOf(Error).and.not.to.be.instanceOf(Interrupted);
        expect(error?.message).to.match(/^host-a +broken +failed \(exit 7\): echo/).and.to.contain("no such release");
        expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).to.deep.equal(listening);
    });
});
