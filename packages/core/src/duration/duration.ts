import { type ErrorLocation, KeepaliveParityError } from '../errors.js';

/**
 * A length of time as integer milliseconds, keeping the text it was read from (`"1h30m"`, `"65"`,
 * `{seconds: 3, nanos: 0}` rendered as JSON) so findings can quote the configuration verbatim.
 */
export interface Duration {
  readonly ms: number;
  readonly text: string;
}

/** The largest duration we accept: beyond this, integer milliseconds stop being exact. */
export const MAX_DURATION_MS = Number.MAX_SAFE_INTEGER;

export function durationFromMs(ms: number, text?: string): Duration {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_DURATION_MS) {
    throw new KeepaliveParityError(
      'KAP_DURATION_INVALID',
      `invalid duration: ${String(ms)} ms is not a whole, non-negative number of milliseconds`,
    );
  }
  return { ms, text: text ?? formatDuration(ms) };
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * Renders milliseconds for people: `65 s`, `1 h 30 min`, `1500 ms`, `2.5 s`.
 * Whole seconds and minutes are preferred; sub-second values stay in ms.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0 s';
  if (ms < 1000) return `${ms} ms`;
  if (ms % 1000 !== 0) {
    return ms < 60_000 ? `${(ms / 1000).toFixed(3).replace(/0+$/, '')} s` : `${ms} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 120 || seconds % 60 !== 0) return `${seconds} s`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      parts.push(`${n} ${unit === 'm' ? 'min' : unit}`);
    }
  }
  return parts.join(' ');
}

/** Signed variant for differences (`-63 s`). */
export function formatSignedDuration(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

export function durationError(input: string, reason: string, location?: ErrorLocation): KeepaliveParityError {
  const where = location?.field ? ` for ${location.field}` : '';
  return new KeepaliveParityError(
    'KAP_DURATION_INVALID',
    `invalid duration ${JSON.stringify(input)}${where}: ${reason}`,
    location,
  );
}
