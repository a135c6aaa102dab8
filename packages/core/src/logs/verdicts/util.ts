import type { CountRow } from './types.js';

export function pct(n: number, d: number): string {
  if (d === 0) return '0%';
  const v = (100 * n) / d;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)}%`;
}

export const is5xx = (r: Pick<CountRow, 'status'>): boolean => r.status !== null && r.status >= 500;

/** LB-generated and race-like: a 502 without another cause, or any "closed a reused connection". */
export const isRaceRow = (r: Pick<CountRow, 'generator' | 'status' | 'cause'>): boolean =>
  r.generator === 'lb' &&
  is5xx(r) &&
  (r.cause === 'upstream-closed-reused-connection' ||
    (r.status === 502 && (r.cause === 'unknown' || r.cause === null)));
