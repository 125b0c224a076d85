// The "slow host" fault's delay line (node delay-proxy.js LISTEN_PORT TARGET_PORT DELAY_MS): a TCP
// proxy on 127.0.0.1 that passes requests on at once and holds every chunk of the host's answer
// for DELAY_MS, in order. It stands in for tc netem, which this machine's kernel lacks
// (CONFIG_NET_SCH_NETEM unset). Loopback only; run as its own uid, which the redirect rule skips.
"use strict";
const net = require("net");

const [listenPort, targetPort, delayMs] = process.argv.slice(2).map(Number);
if (![listenPort, targetPort, delayMs].every(Number.isInteger)) {
    console.error("usage: delay-proxy.js LISTEN_PORT TARGET_PORT DELAY_MS");
    process.exit(2);
}

net.createServer((client) => {
    const host = net.connect(targetPort, "127.0.0.1");
    const later = (action) => setTimeout(action, delayMs);
    client.pipe(host);
    host.on("data", (chunk) => later(() => client.write(chunk)));
    host.on("end", () => later(() => client.end()));
    const closeBoth = () => later(() => { client.destroy(); host.destroy(); });
    host.on("error", closeBoth);
    client.on("error", closeBoth);
    client.on("close", () => host.destroy());
}).listen(listenPort, "127.0.0.1", () => console.log(`delaying 127.0.0.1:${targetPort} by ${delayMs} ms on :${listenPort}`));
