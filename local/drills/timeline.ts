import { failed, Sample } from "../load/sample";

/** A moment a drill marks on its timeline: a cut, a heal, a deploy. */
export interface Mark {
    at: number;
    label: string;
}

/** One second of load, by the second the requests were sent in. */
export interface Second {
    requests: number;
    failures: number;
    /** 0 when nothing was sent that second. */
    p99Ms: number;
}

/** Buckets samples by the second (since `start`) they were sent in. */
export function perSecond(samples: Sample[], start: number): Second[] {
    const buckets: Sample[][] = [];
    for (const s of samples) {
        const second = Math.max(0, Math.floor((s.sentAt - start) / 1000));
        (buckets[second] ??= []).push(s);
    }
    return Array.from(buckets, (bucket = []) => {
        const latencies = bucket.map((s) => s.latencyMs).sort((a, b) => a - b);
        return {
            requests: bucket.length,
            failures: bucket.filter(failed).length,
            p99Ms: latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] : 0,
        };
    });
}

const width = 900;
const panelHeight = 110;
const left = 70;
const top = 72;
const gap = 30;
const panels = [
    { title: "requests/s", colour: "#4477aa", value: (s: Second) => s.requests },
    { title: "failures/s", colour: "#cc3311", value: (s: Second) => s.failures },
    { title: "p99 ms", colour: "#228833", value: (s: Second) => s.p99Ms },
];

/**
 * A drill's timeline as plain SVG: requests, failures and p99 per second in three stacked panels
 * (bars, each panel scaled to its own maximum, printed at its top), and the marked moments as
 * dashed vertical lines across all three with their labels.
 */
export function renderTimeline(title: string, seconds: Second[], marks: Array<{ second: number; label: string }>): string {
    const count = Math.max(1, seconds.length);
    const step = (width - left - 20) / count;
    const x = (second: number) => left + second * step;
    const height = top + panels.length * (panelHeight + gap) + 20;
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
        `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
        `<text x="${left}" y="18" font-size="14">${escapeXml(title)}</text>`,
    ];
    panels.forEach((panel, index) => {
        const y0 = top + index * (panelHeight + gap);
        const values = seconds.map(panel.value);
        const max = Math.max(1, ...values);
        parts.push(`<g class="panel" data-panel="${panel.title}">`);
        parts.push(`<text x="4" y="${y0 + 12}">${panel.title}</text>`, `<text x="4" y="${y0 + 26}">max ${round(max)}</text>`);
        parts.push(`<line x1="${left}" y1="${y0 + panelHeight}" x2="${width - 20}" y2="${y0 + panelHeight}" stroke="#999"/>`);
        values.forEach((value, second) => {
            if (value <= 0) return;
            const h = (value / max) * panelHeight;
            parts.push(`<rect x="${round(x(second))}" y="${round(y0 + panelHeight - h)}" width="${round(Math.max(1, step - 1))}" height="${round(h)}" fill="${panel.colour}"><title>${second} s: ${round(value)}</title></rect>`);
        });
        parts.push("</g>");
    });
    const bottom = top + panels.length * (panelHeight + gap) - gap;
    for (let second = 0; second < count; second += tickEvery(count)) {
        parts.push(`<text x="${round(x(second))}" y="${bottom + 14}" fill="#555">${second} s</text>`);
    }
    marks.forEach((mark, index) => {
        const mx = round(x(mark.second));
        parts.push(`<line class="mark" x1="${mx}" y1="${top - 8}" x2="${mx}" y2="${bottom}" stroke="#000" stroke-dasharray="4 3"/>`);
        // Three rows of labels, so marks close together stay readable; right of the middle, a label ends at its line.
        const anchor = mx > width * 0.6 ? ` text-anchor="end"` : "";
        parts.push(`<text x="${anchor ? mx - 3 : mx + 3}" y="${34 + (index % 3) * 12}"${anchor}>${escapeXml(mark.label)}</text>`);
    });
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}

/** The marks relative to `start`, in (fractional) seconds, for renderTimeline. */
export function marksFrom(marks: Mark[], start: number): Array<{ second: number; label: string }> {
    return marks.map((m) => ({ second: Math.max(0, (m.at - start) / 1000), label: m.label }));
}

function tickEvery(count: number): number {
    return [1, 2, 5, 10, 15, 30, 60, 120].find((n) => count / n <= 15) ?? 300;
}

function round(value: number): number {
    return Math.round(value * 10) / 10;
}

export function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
