import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readFileRange, readLines } from '../src/diagnose/lines.js';

/** The line splitter under byte ranges, chunk boundaries, multi-byte characters and truncated gzip. */

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-lines-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const lineArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', 'é', '€', '😀', '\r'), maxLength: 40 });

describe('diagnose line reading', () => {
  it('byte ranges cover every line exactly once, in order, whatever the cut points (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 0, maxLength: 60 }),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
        async (lines, trailingNewline, cuts) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          const file = join(dir, `f${run++}.log`);
          const bytes = Buffer.from(text);
          writeFileSync(file, bytes);
          const points = [
            ...new Set([0, ...cuts.map((c) => Math.floor(c * bytes.length)), bytes.length]),
          ].sort((a, b) => a - b);
          const got: string[] = [];
          for (let i = 0; i + 1 < points.length; i++) {
            await readFileRange(file, points[i]!, points[i + 1]!, (line) => {
              got.push(line);
            });
          }
          // A final newline ends the last line; it does not start an empty one.
          const expected = text === '' ? [] : text.split('\n');
          if (text.endsWith('\n')) expected.pop();
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lines split across stream chunks are joined, numbered from 1', async () => {
    const text = 'first line\nsecond é line\nthird\n';
    const bytes = Buffer.from(text);
    // Chunks of 3 bytes cut lines and the two-byte é.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) =>
      bytes.subarray(i * 3, i * 3 + 3),
    );
    const got: Array<[string, number]> = [];
    const outcome = await readLines(Readable.from(chunks), false, (line, n) => {
      got.push([line, n]);
    });
    assert.deepEqual(got, [
      ['first line', 1],
      ['second é line', 2],
      ['third', 3],
    ]);
    assert.equal(outcome.bytes, bytes.length);
    assert.equal(outcome.truncated, null);
  });

  it('a truncated gzip stream delivers the lines before the cut and says so', async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`).join('\n');
    const gz = gzipSync(text);
    const file = join(dir, 'cut.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const got: string[] = [];
    const outcome = await readLines(createReadStream(file), true, (line) => {
      got.push(line);
    });
    assert.match(outcome.truncated ?? '', /truncated/);
    assert.ok(got.length > 1000);
    assert.equal(got[1000], `line 1000 ${'x'.repeat(0)}`);
  });
});
