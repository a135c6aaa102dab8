import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { READERS, type ReaderResult } from '@keepalive-parity/core';
import { missingBinaries, runSync, tempDir } from '../readers-helpers/proxies.js';
import { caddyfileTestParts, REALWORLD, readCorpusFile, readText, summarize } from './helpers.js';

const caddy = READERS.find((r) => r.id === 'caddy')!;

/** Values per side kind, ignoring names (`:443` in a Caddyfile is `srv0` once adapted). */
function values(result: ReaderResult): string[] {
  return Object.entries(summarize(result))
    .map(([side, facts]) => `${side.split(' ')[0]} ${JSON.stringify(facts)}`)
    .sort();
}

describe('caddy reader on real-world Caddyfiles against the installed caddy adapt', {
  skip: missingBinaries('caddy'),
}, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('what this caddy adapts, the reader reads the same from the Caddyfile and from the adapted JSON', async () => {
    const dir = await tempDir('kap-caddy-rw-');
    cleanups.push(dir.remove);
    let compared = 0;
    for (const name of readdirSync(`${REALWORLD}caddy`).filter((n) => n.endsWith('.caddyfiletest'))) {
      const { caddyfile } = caddyfileTestParts(readCorpusFile(`caddy/${name}`));
      // A temp copy outside the repository: `caddy adapt` reads a file.
      const path = join(dir.path, `${name}.Caddyfile`);
      await writeFile(path, caddyfile);
      const adapted = runSync('caddy', ['adapt', '--config', path, '--adapter', 'caddyfile']);
      // Newer options than the installed caddy knows (enable_full_duplex, request_buffers): skipped.
      if (adapted.code !== 0) continue;
      assert.deepEqual(
        values(readText(caddy, name, caddyfile)),
        values(readText(caddy, `${name}.json`, adapted.stdout)),
        name,
      );
      compared++;
    }
    // Caddy 2.6 adapts three of the five (global_server_options_multi among them).
    assert.ok(compared >= 3, `only ${compared} files adapted`);
  });
});
