import * as fs from "fs";
import * as mysql from "mysql2/promise";
import { HostPlan } from "../../components/plan/stackPlan";
import { runHostPlans, StepOutcome } from "../executor/stepExecutor";
import { isWrite } from "../load/sample";
import { releasePlans } from "../releases/release";
import { currentRelease } from "../releases/releaseBook";
import { appPasswordSecret, databaseCaFile } from "../stack/database";
import { replaceSecret, secret } from "../stack/secrets";
import { primaryAddress } from "../stack/databasePair";
import { database } from "../stack/stackLayout";
import { appContainerIds } from "./appContainers";
import { Drill, expect, mark } from "./drill";
import { expectNoFailures, underLoad } from "./underLoad";

const discardStep = "discard-old-db-password";

/** A fresh login as the app user: what a running app does whenever its pool opens a connection. */
async function logsIn(password: string, ca: string): Promise<boolean> {
    // Finding the primary is part of the login: a database that cannot say which server it is refuses it.
    const connection = await primaryAddress().then((host) => mysql.createConnection({
        host, port: database.port, user: database.user, password, database: database.name,
        ssl: { ca, rejectUnauthorized: true }, connectTimeout: 5000,
    })).catch(() => undefined);
    if (!connection) return false;
    await connection.end();
    return true;
}

/** Logs in with `password` every 200 ms until stopped; returns how many logins there were and how many failed. */
function keepLoggingIn(password: string, ca: string): { stop: () => Promise<{ attempts: number; refused: number }> } {
    let running = true;
    const counts = { attempts: 0, refused: 0 };
    const loop = (async () => {
        while (running) {
            counts.attempts++;
            if (!(await logsIn(password, ca))) counts.refused++;
            await new Promise((r) => setTimeout(r, 200));
        }
    })();
    return { stop: async () => { running = false; await loop; return counts; } };
}

const withoutStep = (plans: HostPlan<string>[], name: string) => plans.map((p) => ({ ...p, steps: p.steps.filter((s) => s.name !== name) }));

/**
 * The `dbPassword` change of the README's day-2 table, under write load: the plan adds the new
 * password beside the old one, rolls each host out with it, and only then discards the old one. In
 * two runs of the plan, so the drill can look between them: up to the rollouts (with the discard left
 * out, as the engine would not have reached it yet), then the whole plan, where only the discard is left.
 */
export const passwordRotation: Drill = {
    name: "15 database password rotated under write load (both passwords log in until every host rolled out)",
    async run(result) {
        const oldPassword = secret(appPasswordSecret);
        const ca = fs.readFileSync(databaseCaFile, "utf8");
        const containersBefore = await appContainerIds();
        let rolledOut: StepOutcome[] = [];
        let whileRolling = { attempts: 0, refused: 0 };
        const started = Date.now();
        const samples = await underLoad(result, async () => {
            replaceSecret(appPasswordSecret);
            mark(result, "new password");
            const prober = keepLoggingIn(oldPassword, ca);
            try {
                rolledOut = await runHostPlans(withoutStep(releasePlans(currentRelease()), discardStep));
            } finally {
                whileRolling = await prober.stop();
            }
            mark(result, "every host rolled out");
            const discarded = await runHostPlans(releasePlans(currentRelease()));
            mark(result, "old password discarded");
            const ran = discarded.filter((o) => o.result === "ran").map((o) => `${o.host}/${o.step}`);
            expect(result, ran.join() === `host-a/${discardStep}`, `the second run should run only the discard, ran: ${ran.join(", ")}`);
        });
        const newPassword = secret(appPasswordSecret);
        const ran = rolledOut.filter((o) => o.result === "ran").map((o) => `${o.host}/${o.step}`);
        result.notes.push(`steps the new password ran: ${ran.join(", ")}`);
        for (const step of ["host-a/create-app-db", "host-a/rollout", "host-b/rollout"]) {
            expect(result, ran.includes(step), `${step} did not run for the new password`);
        }
        result.notes.push(`fresh logins with the old password while hosts rolled out: ${whileRolling.attempts - whileRolling.refused} of ${whileRolling.attempts} accepted`);
        expect(result, whileRolling.attempts > 0 && whileRolling.refused === 0, `the old password was refused ${whileRolling.refused} times before every host had rolled out`);
        expect(result, await logsIn(newPassword, ca), "the new password does not log in");
        expect(result, !(await logsIn(oldPassword, ca)), "the old password still logs in after the discard");
        const kept = (await appContainerIds()).split(",").filter((id) => containersBefore.split(",").includes(id));
        expect(result, kept.length === 0, `app containers not replaced, still holding the old password: ${kept.join(", ")}`);
        const writes = samples.filter(isWrite);
        result.notes.push(`writes during the rotation: ${writes.length}`);
        expect(result, writes.length > 0, "the load sent no writes");
        expectNoFailures(result, samples, started);
    },
};
