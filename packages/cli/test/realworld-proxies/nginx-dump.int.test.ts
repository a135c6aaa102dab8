import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { READERS, type ReaderResult } from '@keepalive-parity/core';
import { missingBinaries, runSync, tempDir } from '../readers-helpers/proxies.js';
import { REALWORLD, readRealworld, summarize } from './helpers.js';

const nginx = READERS.find((r) => r.id === 'nginx')!;

function values(result: ReaderResult): string {
  return JSON.stringify(summarize(result));
}

describe('nginx reader on a real-world include tree against the installed nginx -T', {
  skip: missingBinaries('nginx'),
}, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('h5bp: the tree read with its includes gives what `nginx -T` of the same tree gives', async () => {
    const dir = await tempDir('kap-nginx-rw-');
    cleanups.push(dir.remove);
    // A temp copy outside the repository: nginx -T needs a prefix it can write its pid/log paths under.
    await cp(`${REALWORLD}nginx/h5bp-server-configs-nginx__tree`, dir.path, { recursive: true });
    const conf = join(dir.path, 'nginx.conf');
    const dump = runSync('nginx', ['-T', '-p', `${dir.path}/`, '-c', conf]);
    assert.equal(dump.code, 0, dump.stderr);
    const fromDump = nginx.read({ text: dump.stdout, file: '(stdin)' });
    assert.deepEqual(
      fromDump.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const fromFiles = await readRealworld(nginx, 'nginx/h5bp-server-configs-nginx__tree/nginx.conf');
    assert.equal(values(fromDump), values(fromFiles));
    // nginx -T shows the server inheriting keepalive_timeout 20s from http {}.
    assert.match(dump.stdout, /keepalive_timeout 20s;/);
    assert.match(values(fromDump), /"server-keepalive":"20000ms"/);
  });
});
