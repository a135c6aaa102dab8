/**
 * A map keyed by an unordered pair of endpoints (a TCP connection, either direction). IPv4
 * endpoints are numbers and go into nested number-keyed maps: no string is built per packet.
 */
export class PairMap<V> {
  private readonly numeric = new Map<number, Map<number, V>>();
  private readonly text = new Map<string, V>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(a: number | string, b: number | string): V | undefined {
    if (typeof a === 'number' && typeof b === 'number') {
      return a < b ? this.numeric.get(a)?.get(b) : this.numeric.get(b)?.get(a);
    }
    return this.text.get(textKey(a, b));
  }

  set(a: number | string, b: number | string, value: V): void {
    if (typeof a === 'number' && typeof b === 'number') {
      const lo = a < b ? a : b;
      const hi = a < b ? b : a;
      let inner = this.numeric.get(lo);
      if (inner === undefined) {
        inner = new Map();
        this.numeric.set(lo, inner);
      }
      if (!inner.has(hi)) this.count++;
      inner.set(hi, value);
      return;
    }
    const key = textKey(a, b);
    if (!this.text.has(key)) this.count++;
    this.text.set(key, value);
  }

  delete(a: number | string, b: number | string): void {
    if (typeof a === 'number' && typeof b === 'number') {
      const lo = a < b ? a : b;
      const hi = a < b ? b : a;
      const inner = this.numeric.get(lo);
      if (inner?.delete(hi)) {
        this.count--;
        if (inner.size === 0) this.numeric.delete(lo);
      }
      return;
    }
    if (this.text.delete(textKey(a, b))) this.count--;
  }

  *values(): IterableIterator<V> {
    for (const inner of this.numeric.values()) yield* inner.values();
    yield* this.text.values();
  }

  clear(): void {
    this.numeric.clear();
    this.text.clear();
    this.count = 0;
  }
}

function textKey(a: number | string, b: number | string): string {
  const x = String(a);
  const y = String(b);
  return x < y ? `${x}>${y}` : `${y}>${x}`;
}
