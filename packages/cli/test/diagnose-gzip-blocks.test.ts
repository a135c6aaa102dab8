import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readLines, sinkBlockLines } from '../src/diagnose/lines.js';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * One large .gz read as blocks of lines by several workers, and a plain file read in byte ranges: the
 * same lines, counts, line numbers and idle gaps as one thread.
 */

const GENERATOR = fileURLToPath(new URL('../../../bench/diagnose-throughput/generate.mjs', import.meta.url));
let dir: string;
let plain: string;
let gz: string;
/** Small blocks so that a 2 MiB file is split into about 20 of them. */
const env = {
  KEEPALIVE_PARITY_DIAGNOSE_GZIP_BLOCK_BYTES: '100000',
  KEEPALIVE_PARITY_DIAGNOSE_GZIP_SPLIT_BYTES: '1',
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-gzip-blocks-'));
  plain = join(dir, 'sample-alb.log');
  execFileSync(process.execPath, [GENERATOR, 'alb', plain, '2'], { stdio: 'ignore' });
  gz = join(dir, 'sample-alb.log.gz');
  writeFileSync(gz, gzipSync(readFileSync(plain)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const lineArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', 'é', '€', '😀', '\r'), maxLength: 40 });

async function viaReadLines(bytes: Buffer): Promise<Array<[string, number]>> {
  const got: Array<[string, number]> = [];
  await readLines(Readable.from([bytes]), false, (line, n) => got.push([line, n]));
  return got;
}

describe('diagnose: one .gz in blocks', () => {
  it('a block gives the lines and numbers readLines gives (property, with blocks larger than a decode window)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        async (lines, repeat, trailingNewline) => {
          // Repeating the lines makes blocks of up to ~0.5 MB, several 64 KiB decode windows.
          const all = Array.from({ length: repeat }, () => lines).flat();
          const text = all.join('\n') + (trailingNewline && all.length > 0 ? '\n' : '');
          const bytes = Buffer.from(text);
          const got: Array<[string, number]> = [];
          const count = sinkBlockLines(bytes, (line, n) => got.push([line, n]));
          const expected = await viaReadLines(bytes);
          assert.equal(count, expected.length);
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('--jobs 2 on one .gz gives the lines, counts, verdict and example line numbers of --jobs 1', async () => {
    const one = parseJson(await runCli(['diagnose', gz, '--json', '--jobs', '1'], { env }));
    const two = parseJson(await runCli(['diagnose', gz, '--json', '--jobs', '2'], { env }));
    assert.ok(one.lines > 3000, String(one.lines));
    assert.equal(two.lines, one.lines);
    assert.equal(two.requests, one.requests);
    assert.deepEqual(two.counts, one.counts);
    assert.deepEqual(two.statusClasses, one.statusClasses);
    assert.equal(two.verdict, one.verdict);
    // The first request to each target in a block gets its gap at the merge: the same idle gaps.
    assert.deepEqual(two.idleGaps, one.idleGaps);
    assert.deepEqual(two.keepAliveEstimate, one.keepAliveEstimate);
    assert.deepEqual(
      two.examples.map((e: Record<string, unknown>) => `${e.key}@${e.line}`),
      one.examples.map((e: Record<string, unknown>) => `${e.key}@${e.line}`),
    );
    // Each example's line number points at that very line of the file.
    const lines = readFileSync(plain, 'utf8').split('\n');
    for (const e of two.examples) assert.equal(lines[e.line - 1]!.slice(0, 200), e.text.slice(0, 200));
  });

  it('byte ranges of a plain file give the idle gaps of one thread', async () => {
    const ranges = { KEEPALIVE_PARITY_DIAGNOSE_RANGE_BYTES: '200000' };
    const one = parseJson(await runCli(['diagnose', plain, '--json', '--jobs', '1'], { env: ranges }));
    const two = parseJson(await runCli(['diagnose', plain, '--json', '--jobs', '2'], { env: ranges }));
    assert.ok(one.idleGaps.buckets.some((b: Record<string, number>) => b.requests > 0));
    assert.deepEqual(two.idleGaps, one.idleGaps);
    assert.deepEqual(two.keepAliveEstimate, one.keepAliveEstimate);
  });

  it('a truncated .gz read in blocks says so and keeps every line read before the cut', async () => {
    const whole = readFileSync(gz);
    const cut = join(dir, 'cut.log.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const one = parseJson(await runCli(['diagnose', cut, '--json', '--jobs', '1'], { env }));
    const two = parseJson(await runCli(['diagnose', cut, '--json', '--jobs', '2'], { env }));
    assert.equal(two.truncatedInputs.length, 1);
    assert.match(two.truncatedInputs[0].reason, /truncated/);
    assert.ok(two.requests > 1000, String(two.requests));
    assert.equal(two.requests, one.requests);
    assert.equal(two.malformedLines, one.malformedLines);
    assert.deepEqual(two.counts, one.counts);
  });
});
