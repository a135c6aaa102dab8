/**
 * 100,000 mutated captures through the whole analyzer: no exception, no hang, bounded memory.
 * Mutations come from a seeded generator (xorshift32), so every run checks the same inputs and
 * nothing here depends on chance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureAnalyzer } from '../src/index.js';
import { pcap, pcapng, scenarioPackets } from './capture-builder.js';

const ROUNDS = 100_000;

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

test(`${ROUNDS} mutated captures: no crash, no hang, memory bounded`, { timeout: 120_000 }, () => {
  const packets = [
    ...scenarioPackets({ cport: 40001, idleMs: 100 }),
    ...scenarioPackets({
      cport: 40002,
      idleMs: 100,
      race: 'fin-then-request',
      startUs: 1_780_000_010_000_000,
    }),
    ...scenarioPackets({
      cport: 40003,
      idleMs: 100,
      race: 'request-then-rst',
      startUs: 1_780_000_020_000_000,
    }),
  ];
  const bases = [
    pcap(packets, { link: 'ethernet-vlan' }),
    pcap(packets, { link: 'sll', bigEndian: true, nano: true, snapLength: 96 }),
    pcapng(packets, [{ link: 'ethernet' }, { link: 'sll2', tsresol: 9 }, { link: 'null', tsresol: 0x94 }]),
  ];
  const next = xorshift(0x5eed);
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let readable = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const base = bases[round % bases.length]!;
    let bytes = Uint8Array.from(base);
    const flips = 1 + (next() % 8);
    for (let i = 0; i < flips; i++) {
      const at = next() % bytes.length;
      // Header bytes get small changes or extremes (lengths, link types, versions).
      bytes[at] = next() % 3 === 0 ? [0, 0xff, 0x7f, 0x80][next() % 4]! : next() & 0xff;
    }
    if (next() % 4 === 0) bytes = bytes.subarray(0, next() % bytes.length);
    const analyzer = new CaptureAnalyzer({ marginMs: 5000, timeline: round % 2 === 0 });
    const input = analyzer.openFile(`fuzz-${round}`);
    // Split into up to three chunks at arbitrary points: records straddle chunk boundaries.
    const cut1 = next() % (bytes.length + 1);
    const cut2 = cut1 + (next() % (bytes.length - cut1 + 1));
    input.push(bytes.subarray(0, cut1));
    input.push(bytes.subarray(cut1, cut2));
    input.push(bytes.subarray(cut2));
    const summary = input.end();
    const report = analyzer.finish();
    assert.ok(report.connections >= 0 && report.racesTotal >= 0);
    for (const d of summary.diagnostics)
      assert.ok(d.offset >= 0 && d.offset <= bytes.length, JSON.stringify(d));
    if (summary.frames > 0) readable++;
    if ((round & 1023) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  // Most mutations leave the file readable: the decoders were really exercised.
  assert.ok(readable > ROUNDS / 2, `${readable} readable`);
  assert.ok(peakHeap - heapBefore < 200 * 1024 * 1024, `heap grew by ${peakHeap - heapBefore} bytes`);
});
