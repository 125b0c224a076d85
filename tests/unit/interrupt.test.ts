import { expect } from "chai";
import { Interrupted, interruptible } from "../../local/executor/interrupt";

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

/** A signal as Node delivers one: listeners get its name, which process.emit passes only when given it. */
const deliver = (name: NodeJS.Signals) => process.emit(name, name);

/** An action of two steps, which checks the signal before each as the step executor does. */
async function twoSteps(signal: AbortSignal, between: () => void): Promise<string[]> {
    const ran: string[] = [];
    for (const step of ["first", "second"]) {
        if (signal.aborted) throw new Error(`${step} not started: interrupted`);
        ran.push(step);
        await tick();
        if (step === "first") between();
    }
    return ran;
}

describe("interruptible: Ctrl-C during a deploy", () => {
    const report = async () => "host-a on v2, host-b on v1";

    it("starts no further step and ends with Interrupted (exit 130), carrying where the hosts are", async () => {
        const error = await interruptible((signal) => twoSteps(signal, () => deliver("SIGINT")), report)
            .then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(Interrupted);
        expect((error as Interrupted).exitCode).to.equal(130);
        expect((error as Interrupted).message).to.equal("SIGINT: interrupted.\nhost-a on v2, host-b on v1");
    });

    it("returns as usual when the signal came after the last step had started: it stopped nothing", async () => {
        let signalled = false;
        const ran = await interruptible(async (signal) => {
            const steps = await twoSteps(signal, () => undefined);
            deliver("SIGTERM");
            signalled = signal.aborted;
            return steps;
        }, report);
        expect(signalled).to.equal(true);
        expect(ran).to.deep.equal(["first", "second"]);
    });

    it("passes a failure without a signal on unchanged, and stops listening afterwards", async () => {
        const listeners = process.listenerCount("SIGINT");
        const error = await interruptible(async () => { throw new Error("rollout failed"); }, report).then(() => undefined, (e: Error) => e);
        expect(error).to.be.instanceOf(Error).and.not.to.be.instanceOf(Interrupted);
        expect((error as Error).message).to.equal("rollout failed");
        expect(process.listenerCount("SIGINT")).to.equal(listeners);
    });
});
