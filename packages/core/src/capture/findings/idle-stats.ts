import type { ConnectionSummary } from '../connection.js';

/**
 * The distribution of idle-at-close times for one server, client or hop. Exact up to
 * `MAX_SAMPLES` samples; beyond that every second sample is dropped (deterministically), so memory
 * stays bounded and the median becomes an estimate (said so by `exact: false`).
 */
const MAX_SAMPLES = 100_000;

export interface IdleDistribution {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export class IdleStats {
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  fin = 0;
  rst = 0;
  private samples: number[] = [];
  private stride = 1;

  add(ms: number, how: 'fin' | 'rst' | null): void {
    this.count++;
    if (how === 'fin') this.fin++;
    else if (how === 'rst') this.rst++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    if (this.count % this.stride !== 0) return;
    this.samples.push(ms);
    if (this.samples.length >= MAX_SAMPLES) {
      this.samples = this.samples.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  get exact(): boolean {
    return this.stride === 1;
  }

  distribution(): IdleDistribution | null {
    if (this.count === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return { min: round3(this.min), median: round3(median), max: round3(this.max) };
  }

  /** Equal-width bins between min and max (one bin when they are equal). */
  histogram(bins = 20): { fromMs: number; toMs: number; count: number }[] {
    if (this.count === 0) return [];
    const width = (this.max - this.min) / bins || 1;
    const counts = new Array<number>(bins).fill(0);
    const scale = this.count / Math.max(1, this.samples.length);
    for (const s of this.samples) counts[Math.min(bins - 1, Math.floor((s - this.min) / width))]! += 1;
    return counts
      .map((c, i) => ({
        fromMs: round3(this.min + i * width),
        toMs: round3(this.min + (i + 1) * width),
        count: Math.round(c * scale),
      }))
      .filter((_, i) => this.max > this.min || i === 0);
  }
}

export function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** One address's idle closes, and the lower bound the other side's idle closes prove. */
export interface AddressIdleCloses {
  readonly address: string;
  readonly idleCloses: number;
  readonly idleCloseMs: IdleDistribution | null;
  readonly closedWith: { readonly fin: number; readonly rst: number };
  /** The longest idle the address tolerated: the other side's idle closes, requests served after an idle period; or null. */
  readonly boundMs: number | null;
  /** False when the sample was thinned (over 100,000 closes): the median is then an estimate. */
  readonly exact: boolean;
  readonly histogram: readonly { fromMs: number; toMs: number; count: number }[];
}

/**
 * Idle closes per address: `own` closes are measured, `other` closes (the other side closed first)
 * only give a lower bound. Shared by the server and client measurements.
 */
export function idleClosesByAddress(
  own: 'server-idle' | 'client-idle',
  addressOf: (summary: ConnectionSummary) => string,
): { add(summary: ConnectionSummary): void; result(): AddressIdleCloses[] } {
  const byAddress = new Map<string, { stats: IdleStats; bound: number }>();
  return {
    add(summary) {
      const idleClose =
        summary.idleMs !== null && (summary.kind === 'server-idle' || summary.kind === 'client-idle');
      if (!idleClose && summary.maxServedIdleMs === null) return;
      const address = addressOf(summary);
      let entry = byAddress.get(address);
      if (!entry) {
        entry = { stats: new IdleStats(), bound: -1 };
        byAddress.set(address, entry);
      }
      // A request served after an idle period bounds both sides from below.
      if (summary.maxServedIdleMs !== null) entry.bound = Math.max(entry.bound, summary.maxServedIdleMs);
      if (!idleClose || summary.idleMs === null) return;
      if (summary.kind === own) entry.stats.add(summary.idleMs, summary.how);
      else entry.bound = Math.max(entry.bound, summary.idleMs);
    },
    result: () =>
      [...byAddress.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([address, { stats, bound }]) => ({
          address,
          idleCloses: stats.count,
          idleCloseMs: stats.distribution(),
          closedWith: { fin: stats.fin, rst: stats.rst },
          boundMs: bound >= 0 ? round3(bound) : null,
          exact: stats.exact,
          histogram: stats.histogram(),
        })),
  };
}
