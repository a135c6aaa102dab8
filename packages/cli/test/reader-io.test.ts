/**
 * The config readers' I/O is registered by reader-io.ts and loaded from reader-io-impl.ts on the
 * first call (start-up, issue 12): the two must offer the same members, and a call through the
 * lazy member must reach the real one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { CliContext } from '../src/context.js';
import { READER_IO_MEMBERS, readerIo } from '../src/reader-io.js';
import { readerIo as readerIoImpl } from '../src/reader-io-impl.js';

function context(cwd: string, stdinText = ''): CliContext {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin,
    env: {},
    cwd,
    color: false,
    signal: new AbortController().signal,
  };
}

describe('reader I/O, loaded on first use', () => {
  it('offers the members of its implementation, no more, no fewer', () => {
    const ctx = context(process.cwd());
    assert.deepEqual(Object.keys(readerIo(ctx)).sort(), Object.keys(readerIoImpl(ctx)).sort());
    assert.deepEqual([...READER_IO_MEMBERS].sort(), Object.keys(readerIoImpl(ctx)).sort());
  });

  it('calls reach the implementation: a folder listed, a glob expanded, stdin read once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kap-reader-io-'));
    try {
      writeFileSync(join(dir, 'a.conf'), 'x');
      writeFileSync(join(dir, 'b.conf'), 'y');
      writeFileSync(join(dir, 'c.txt'), 'z');
      const io = readerIo(context(dir, 'from stdin')) as Record<
        string,
        (...args: unknown[]) => Promise<unknown>
      >;
      assert.deepEqual(await io.listFolder!('.'), ['a.conf', 'b.conf', 'c.txt']);
      assert.deepEqual(await io.expandGlob!('*.conf', '.'), ['a.conf', 'b.conf']);
      assert.equal(await io.listFolder!('a.conf'), null);
      assert.equal(await io.readStdin!(), 'from stdin');
      assert.equal(await io.readStdin!(), 'from stdin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
