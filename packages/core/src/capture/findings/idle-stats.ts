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
