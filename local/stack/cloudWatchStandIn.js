// The local stack's CloudWatch stand-in (node cloud-watch-stand-in.js PORT DATAPOINTS_FILE): takes
// PutMetricData as the AWS CLI sends it to CloudWatch (the query protocol: a form-encoded POST, signed
// with Signature Version 4 for the `monitoring` service) and appends each datapoint, stamped with the
// time it arrived, as one JSON line to DATAPOINTS_FILE. It answers as CloudWatch does: an unsigned
// request or another action is refused, a value that is not a number is a 400. Alarms are evaluated
// by the reader, from the stack's alarm definitions (local/stack/alarmState.ts). Loopback only.
"use strict";
const fs = require("fs");
const http = require("http");
const crypto = require("crypto");

const [portText, datapointsFile] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || !datapointsFile) {
    console.error("usage: cloud-watch-stand-in.js PORT DATAPOINTS_FILE");
    process.exit(2);
}

const xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/";
const escape = (text) => String(text).replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" }[c]));

function answer(response, status, body) {
    response.writeHead(status, { "Content-Type": "text/xml", "x-amzn-RequestId": crypto.randomUUID() });
    response.end(body);
}

function refuse(response, status, code, message) {
    answer(response, status, `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${code}</Code>`
        + `<Message>${escape(message)}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`);
}

/** `MetricData.member.1.Dimensions.member.2.Name` and friends, as nested objects and lists. */
function datapointsOf(form) {
    const members = new Map();
    for (const [key, value] of form) {
        const match = /^MetricData\.member\.(\d+)\.(.+)$/.exec(key);
        if (!match) continue;
        const member = members.get(match[1]) ?? { dimensions: {} };
        const dimension = /^Dimensions\.member\.(\d+)\.(Name|Value)$/.exec(match[2]);
        if (dimension) {
            member.dimensionParts = member.dimensionParts ?? new Map();
            const part = member.dimensionParts.get(dimension[1]) ?? {};
            part[dimension[2]] = value;
            member.dimensionParts.set(dimension[1], part);
        } else {
            member[match[2]] = value;
        }
        members.set(match[1], member);
    }
    return [...members.values()].map((m) => ({
        metricName: m.MetricName,
        value: Number(m.Value),
        valueText: m.Value,
        unit: m.Unit ?? "None",
        dimensions: Object.fromEntries([...(m.dimensionParts ?? new Map()).values()].map((d) => [d.Name, d.Value])),
    }));
}

http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
        const authorization = request.headers.authorization ?? "";
        if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/monitoring\/aws4_request,/.test(authorization)) {
            refuse(response, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
            return;
        }
        const form = new URLSearchParams(body);
        if (request.method !== "POST" || form.get("Action") !== "PutMetricData") {
            refuse(response, 400, "InvalidAction", `the stand-in takes PutMetricData only (got ${form.get("Action")})`);
            return;
        }
        const namespace = form.get("Namespace");
        const datapoints = datapointsOf(form);
        const bad = datapoints.find((d) => !d.metricName || d.valueText === undefined || !Number.isFinite(d.value));
        if (!namespace || datapoints.length === 0 || bad) {
            refuse(response, 400, "InvalidParameterValue", `a datapoint needs a Namespace, a MetricName and a numeric Value (got ${JSON.stringify(bad ?? namespace)})`);
            return;
        }
        const at = Date.now();
        fs.appendFileSync(datapointsFile, datapoints.map(({ valueText, ...d }) => JSON.stringify({ at, namespace, ...d }) + "\n").join(""));
        answer(response, 200, `<PutMetricDataResponse xmlns="${xmlns}"><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></PutMetricDataResponse>`);
    });
}).listen(port, "127.0.0.1", () => console.log(`CloudWatch stand-in on 127.0.0.1:${port}, datapoints to ${datapointsFile}`));
