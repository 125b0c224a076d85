/**
 * The order hosts take a change that touches serving (bootstrap, a remount, an image build, a new
 * nginx config, a rollout): the first host alone (the canary), then the others in batches of
 * `batchSize`, each batch only once the batch before it is done. At most `batchSize` hosts are ever
 * busy at once, so at least `hostCount - batchSize` keep serving.
 *
 * | hosts       | batchSize | batches               |
 * |-------------|-----------|-----------------------|
 * | a, b        | 1         | [a] [b]               |
 * | a, b, c, d  | 1         | [a] [b] [c] [d]       |
 * | a, b, c, d  | 2         | [a] [b, c] [d]        |
 * | a, b, c, d  | 3         | [a] [b, c, d]         |
 */
export function rolloutBatches(hosts: string[], batchSize: number): string[][] {
    const [canary, ...rest] = hosts;
    const batches = canary === undefined ? [] : [[canary]];
    for (let i = 0; i < rest.length; i += batchSize) batches.push(rest.slice(i, i + batchSize));
    return batches;
}

/** Each host's predecessors: the hosts of the batch before its own (none for the canary). */
export function batchBefore(hosts: string[], batchSize: number): Map<string, string[]> {
    const batches = rolloutBatches(hosts, batchSize);
    return new Map(batches.flatMap((batch, i) => batch.map((host) => [host, i === 0 ? [] : batches[i - 1]] as const)));
}

/** The default: one host at a time after the canary. */
export const defaultRolloutBatchSize = 1;

/**
 * Why `batchSize` cannot roll `hostCount` hosts, or undefined. The canary rolls alone, so a batch
 * may take every other host but never all of them: at least one host keeps serving.
 */
export function rolloutBatchSizeProblem(batchSize: unknown, hostCount: number): string | undefined {
    if (typeof batchSize === "number" && Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= hostCount - 1) return undefined;
    return `rolloutBatchSize must be a whole number from 1 to ${hostCount - 1} (hostCount ${hostCount} minus the canary, which rolls alone), `
        + `got ${JSON.stringify(batchSize)}: set it to at most ${hostCount - 1}, or raise hostCount`;
}
