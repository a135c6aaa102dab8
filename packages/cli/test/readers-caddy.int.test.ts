import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';
import { missingBinaries, runSync, tempDir } from './readers-helpers/proxies.js';

const FIXTURE = fileURLToPath(new URL('../../core/test/fixtures/caddy/Caddyfile', import.meta.url));

describe('caddy reader against the real caddy binary', {
  skip: missingBinaries('caddy'),
}, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('the Caddyfile and the JSON `caddy adapt` makes of it give the same idle values per upstream', async () => {
    const dir = await tempDir('kap-caddy-');
    cleanups.push(dir.remove);
    const caddyfile = join(dir.path, 'Caddyfile');
    await copyFile(FIXTURE, caddyfile);
    const adapted = runSync('caddy', ['adapt', '--config', caddyfile, '--adapter', 'caddyfile']);
    assert.equal(adapted.code, 0, adapted.stderr);
    const json = join(dir.path, 'caddy.json');
    await writeFile(json, adapted.stdout);
    const read = async (source: string) => {
      const result = await runCli(['check', '--lb', source, '--backend', '65s', '--json']);
      assert.ok(result.code === 0 || result.code === 1, result.stderr);
      const doc = parseJson(result);
      const byUpstream = new Map<string, string>();
      for (const hop of doc.hops) {
        const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
        const upstream = hop.client.label.replace(/^Caddy reverse_proxy /, '').replace(/ \(.*\)$/, '');
        byUpstream.set(upstream, fact.valueType === 'duration' ? `${fact.valueMs}ms` : fact.valueType);
      }
      return byUpstream;
    };
    const fromCaddyfile = await read(`caddy:${caddyfile}`);
    const fromJson = await read(`caddy:${json}`);
    assert.deepEqual([...fromCaddyfile.entries()].sort(), [
      ['10.0.0.1:8000 10.0.0.2:8000', '30000ms'],
      ['app:3000', '120000ms'],
      ['legacy:80', 'disabled'],
    ]);
    assert.deepEqual([...fromJson.entries()].sort(), [...fromCaddyfile.entries()].sort());
    // The server side too: the global idle timeout (2m) is what caddy adapt writes (in ns).
    const server = await runCli(['check', '--lb', '60s', '--backend', `caddy:${json}`, '--json']);
    assert.equal(parseJson(server).hops[0].serverKeepAliveMs, 120_000);
  });

  it('what caddy refuses, the reader reports at the same line', async () => {
    const dir = await tempDir('kap-caddy-bad-');
    cleanups.push(dir.remove);
    const caddyfile = join(dir.path, 'Caddyfile');
    await writeFile(
      caddyfile,
      ':8080 {\n\treverse_proxy app:1 {\n\t\ttransport http { keepalive off }\n\t}\n}\n',
    );
    const adapted = runSync('caddy', ['adapt', '--config', caddyfile, '--adapter', 'caddyfile']);
    assert.notEqual(adapted.code, 0);
    assert.match(adapted.stderr, /Caddyfile:3/);
    const result = await runCli(['check', '--lb', `caddy:${caddyfile}`, '--backend', '65s', '--json']);
    const finding = parseJson(result).findings.find((f: any) => f.id === 'config-unreadable');
    assert.equal(finding.numbers.line, 3);
  });
});
