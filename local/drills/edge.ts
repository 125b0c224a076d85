import { nginxLimits } from "../../components/plan/hostConfigFiles";
import { hostPaths } from "../../components/plan/hostPaths";
import { crashTargets, exchange, getRequest } from "../../tests/support/hostileHttp";
import { targetStates } from "../stack/loadBalancerStack";
import { failed } from "../load/sample";
import { docker } from "../run";
import { hostContainer, loadBalancer } from "../stack/stackLayout";
import { hostPorts, hostNames } from "../stack/stackHosts";
import { appContainerIds } from "./appContainers";
import { Drill, expect } from "./drill";
import { attackProblems, runSlowClients, SlowClientCounts, SlowClientPlan } from "./slowClients";
import { expectNoFailures, sleep, underLoad } from "./underLoad";

const hostA = hostPorts("host-a");

/** Answers to `requests` raw requests, by outcome: "400", "502", "no answer", ... */
async function outcomes(port: number, requests: string[]): Promise<Map<string, number>> {
    const counted = new Map<string, number>();
    for (const request of requests) {
        const answer = await exchange(port, request).catch(() => ({ status: 0 }));
        const key = answer.status === 0 ? "no answer" : String(answer.status);
        counted.set(key, (counted.get(key) ?? 0) + 1);
    }
    return counted;
}

const listOutcomes = (counted: Map<string, number>) => [...counted].map(([k, n]) => `${n} x ${k}`).join(", ");

/** Every line of a host's access log as bytes: it must be valid UTF-8 and parse as JSON. */
async function badAccessLogLines(host: string): Promise<{ lines: number; bad: number }> {
    const text = await docker(["exec", hostContainer(host), "cat", hostPaths.nginxAccessLog]);
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    const lines = text.split("\n").filter((l) => l !== "");
    const bad = lines.filter((line) => {
        try {
            JSON.parse(utf8.decode(Buffer.from(line, "latin1")));
            return false;
        } catch {
            return true;
        }
    });
    return { lines: lines.length, bad: bad.length };
}

/**
 * The requests from issue 8, through the load balancer and at one host, under load: every one is
 * answered below 500, no app restarts, /health and the server version stay private, HTTP/1.0
 * without Host works, and every access-log line is valid UTF-8 JSON in a 0640 file.
 */
export const hostileRequests: Drill = {
    name: "7 hostile requests (crash inputs and raw bytes, exposure)",
    async run(result) {
        const started = Date.now();
        const before = await appContainerIds();
        const repeats = 20;
        const crashRequests = crashTargets.flatMap((t) => Array<string>(repeats).fill(getRequest(t)));
        // Raw bytes >= 0x80 in a User-Agent and a path: logged as placeholders, never raw.
        const shaped = ["GET /caf\xe9?token=secret HTTP/1.1", "Host: x", "User-Agent: \xff\xfe\xc3(", "Connection: close", "", ""].join("\r\n");
        const samples = await underLoad(result, async () => {
            for (const [label, port] of [["load balancer", loadBalancer.port], ["host-a nginx", hostA.nginxPort]] as const) {
                const counted = await outcomes(port, [...crashRequests, shaped]);
                result.notes.push(`${label}: ${crashRequests.length + 1} hostile requests -> ${listOutcomes(counted)}`);
                expect(result, [...counted.keys()].every((k) => /^4\d\d$/.test(k)), `${label}: hostile requests not all answered 4xx: ${listOutcomes(counted)}`);
            }
            const health = await exchange(loadBalancer.port, getRequest("/health"));
            expect(result, health.status === 404 && !health.text.includes("checks"), `/health through the load balancer: ${health.status}`);
            const version = /^server: (.*)$/im.exec(health.text)?.[1]?.trim();
            expect(result, version === "nginx", `Server header through the load balancer: ${version}`);
            const http10 = await exchange(loadBalancer.port, getRequest("/", "HTTP/1.0", undefined));
            expect(result, http10.status === 200, `HTTP/1.0 without Host: ${http10.status}`);
            result.notes.push(`/health via LB ${health.status}, Server: ${version}, HTTP/1.0 without Host ${http10.status}`);
        }, ["/", "/ping"]);
        expectNoFailures(result, samples, started);
        const after = await appContainerIds();
        expect(result, before === after, `app containers changed (restarted?): before ${before}, after ${after}`);
        for (const host of hostNames()) {
            const mode = (await docker(["exec", hostContainer(host), "stat", "-c", "%a %G", hostPaths.nginxAccessLog])).trim();
            const log = await badAccessLogLines(host);
            result.notes.push(`${host} access log: mode ${mode}, ${log.lines} lines, ${log.bad} not UTF-8 JSON`);
            expect(result, mode === "640 adm", `${host}: access log mode/group ${mode}, expected 640 adm`);
            expect(result, log.bad === 0, `${host}: ${log.bad} access-log lines are not valid UTF-8 JSON`);
        }
    },
};

const attackSeconds = 30;
const perPlan = 1_000;

/** 4,000 trickling connections: through the load balancer and straight at host-a's nginx, headers and bodies. */
const attack: SlowClientPlan[] = [
    { label: "LB slow headers", port: loadBalancer.port, localAddress: "127.0.0.2", kind: "header", connections: perPlan },
    { label: "LB slow bodies", port: loadBalancer.port, localAddress: "127.0.0.2", kind: "body", connections: perPlan },
    { label: "host-a slow headers", port: hostA.nginxPort, localAddress: "127.0.0.3", kind: "header", connections: perPlan },
    { label: "host-a slow bodies", port: hostA.nginxPort, localAddress: "127.0.0.3", kind: "body", connections: perPlan },
];

/**
 * Slow clients cannot exhaust a host: while 4,000 connections trickle headers and bodies for 30 s,
 * normal requests through the load balancer and straight at host-a keep getting 200 and the load
 * balancer keeps both hosts UP. Prints what the attacker got.
 */
export const slowClients: Drill = {
    name: `8 slow clients (${attack.length * perPlan} trickling connections, ${attackSeconds} s)`,
    async run(result) {
        const started = Date.now();
        const states = new Map<string, Map<string, number>>();
        const direct = { ok: 0, failed: 0 };
        let attacked: SlowClientCounts[] = [];
        const samples = await underLoad(result, async () => {
            const running = Promise.all(attack.map((plan) => runSlowClients(plan, attackSeconds * 1000)));
            const until = Date.now() + attackSeconds * 1000;
            while (Date.now() < until) {
                for (const [host, state] of await targetStates().catch(() => new Map([["stats page", "no answer"]]))) {
                    // The load balancer lists every host slot; those beyond hostCount are DOWN by design.
                    if (host !== "stats page" && !hostNames().includes(host)) continue;
                    const seen = states.get(host) ?? new Map<string, number>();
                    seen.set(state, (seen.get(state) ?? 0) + 1);
                    states.set(host, seen);
                }
                const ping = await exchange(hostA.nginxPort, getRequest("/ping")).catch(() => ({ status: 0 }));
                direct[ping.status === 200 ? "ok" : "failed"]++;
                await sleep(1000);
            }
            attacked = await running;
            for (const counts of attacked) {
                const errors = Object.entries(counts.errors).map(([code, n]) => `, ${n} x ${code}`).join("");
                result.notes.push(`${counts.label}: ${counts.opened} opened, ${counts.refused} refused 429, ` +
                    `${counts.closedByServer} closed by the server, ${counts.heldAtEnd} held at the end${errors}`);
            }
        }, ["/", "/ping"]);
        const lbStates = [...states].map(([host, seen]) => `${host} ${[...seen].map(([s, n]) => `${s} x${n}`).join(" ")}`).join("; ");
        result.notes.push(`normal requests via LB: ${samples.filter((s) => !failed(s)).length} ok, ` +
            `${samples.filter(failed).length} failed; /ping at host-a: ${direct.ok} ok, ${direct.failed} failed`);
        result.notes.push(`LB target states sampled each second: ${lbStates}`);
        result.notes.push(`nginx: ${nginxLimits.workerConnections} connections per worker, ${nginxLimits.connectionsPerClient} per client address`);
        const notMounted = attackProblems(attack, attacked);
        expect(result, notMounted.length === 0, `the attack did not happen as planned: ${notMounted.join("; ")}`);
        expectNoFailures(result, samples, started);
        expect(result, direct.failed === 0, `${direct.failed} of ${direct.ok + direct.failed} /ping at host-a failed`);
        expect(result, [...states.values()].every((seen) => seen.size === 1 && seen.has("UP")), `LB states: ${lbStates}`);
    },
};
