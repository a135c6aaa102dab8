/**
 * One monotonic clock for the whole lab. `process.hrtime` reads CLOCK_MONOTONIC on Linux, which is
 * shared by every process on the host, so timestamps from the backend's log, the embedded proxy's
 * log and the driver can be compared directly.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortReason(signal!));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits until the monotonic clock reaches `targetMs`: a timer for all but the last `spinMs`, then a
 * busy wait, so the caller acts within about 0.1 ms of the target (the timer alone is often 1–2 ms
 * late). The busy wait is bounded by `spinMs` + the timer's lateness.
 */
export async function waitUntil(targetMs: number, signal?: AbortSignal, spinMs = 3): Promise<void> {
  const coarse = targetMs - monotonicMs() - spinMs;
  if (coarse > 0) await sleep(coarse, signal);
  while (monotonicMs() < targetMs) {
    // busy wait: the last few milliseconds only
  }
}

export class LabAbortedError extends Error {
  constructor(reason: unknown) {
    super(reason instanceof Error ? reason.message : 'interrupted');
    this.name = 'LabAbortedError';
  }
}

export function abortReason(signal: AbortSignal): Error {
  return new LabAbortedError(signal.reason);
}
