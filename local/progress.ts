/**
 * Progress a person can follow: every step says what it does, on which host, and how long it took.
 */
export function note(message: string): void {
    process.stdout.write(`${timestamp()} ${message}\n`);
}

export async function timed<T>(label: string, action: () => Promise<T>): Promise<T> {
    const started = Date.now();
    note(`${label} ...`);
    try {
        const result = await action();
        note(`${label} done in ${seconds(started)} s`);
        return result;
    } catch (error) {
        note(`${label} FAILED after ${seconds(started)} s`);
        throw error;
    }
}

export function seconds(since: number): string {
    return ((Date.now() - since) / 1000).toFixed(1);
}

function timestamp(): string {
    return new Date().toISOString().slice(11, 19);
}
