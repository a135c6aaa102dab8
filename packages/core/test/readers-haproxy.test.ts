import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haproxyReader } from '../src/readers/haproxy/index.js';
import { brief, factOf, readFixture, sideNamed } from './readers-helpers.js';

describe('haproxy reader', () => {
  it('reads a backend: no idle timer (unbounded pool), reuse policy, purge delay, max-reuse, retry-on', async () => {
    const result = await readFixture(haproxyReader, 'haproxy/basic.cfg');
    assert.deepEqual(result.diagnostics, []);
    const be = sideNamed(result, 'pool', 'be_app');
    const idle = factOf(be, 'pool-idle');
    assert.equal(idle.value.type, 'unbounded');
    assert.deepEqual(brief(idle).at, 'haproxy/basic.cfg:17');
    const notes = idle.notes?.join('\n') ?? '';
    assert.match(notes, /no per-connection idle timer/);
    assert.match(notes, /http-reuse always \(haproxy\/basic.cfg:18\)/);
    assert.match(notes, /pool-purge-delay 10s .* every 10000 ms; it is not an idle-age limit/);
    assert.match(notes, /timeout server 10s bounds waiting for a response/);
    assert.deepEqual(brief(factOf(be, 'max-requests-per-connection')), {
      value: 500,
      at: 'haproxy/basic.cfg:20',
    });
    const retry = factOf(be, 'retry-policy');
    assert.ok(retry.value.type === 'retry');
    assert.deepEqual(retry.value.on, ['conn-failure', 'empty-response', 'response-timeout']);
    assert.equal(retry.value.text, 'retry-on conn-failure empty-response response-timeout, retries 3');
    assert.deepEqual(be.targets, ['127.0.0.1:8000', '127.0.0.1:8001']);

    // Defaults only: retries 3 on conn-failure, which does not cover a stale pooled connection.
    const plain = factOf(sideNamed(result, 'pool', 'be_plain'), 'retry-policy');
    assert.ok(plain.value.type === 'retry');
    assert.deepEqual(plain.value.on, ['conn-failure']);
    assert.match(plain.notes?.join(' ') ?? '', /empty-response/);
    assert.match(
      factOf(sideNamed(result, 'pool', 'be_plain'), 'pool-idle').notes?.join(' ') ?? '',
      /http-reuse safe/,
    );

    // The frontend (server side): timeout http-keep-alive inherited from defaults.
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'fe_main'), 'server-keepalive')), {
      value: 15_000,
      at: 'haproxy/basic.cfg:10',
    });
  });

  it('reads HAProxy time: bare numbers are milliseconds, us, quoted values, and the fallbacks', async () => {
    const result = await readFixture(haproxyReader, 'haproxy/units.cfg');
    assert.deepEqual(result.diagnostics, []);
    const ka = (name: string) => brief(factOf(sideNamed(result, 'server', name), 'server-keepalive'));
    assert.deepEqual(ka('bare_ms'), { value: 1500, at: 'haproxy/units.cfg:7' });
    assert.deepEqual(ka('micro'), { value: 250, at: 'haproxy/units.cfg:11' });
    assert.deepEqual(ka('fallback_request'), { value: 2000, at: 'haproxy/units.cfg:15' });
    assert.deepEqual(ka('fallback_client'), { value: 60_000, at: 'haproxy/units.cfg:3' });
    assert.deepEqual(ka('both'), { value: 3_600_000, at: 'haproxy/units.cfg:22' });
    assert.equal(factOf(sideNamed(result, 'pool', 'both'), 'pool-idle').value.type, 'unbounded');
  });

  it('named defaults with `from`, option http-server-close, http-reuse never, max-reuse 0, retries 0', async () => {
    const result = await readFixture(haproxyReader, 'haproxy/closing.cfg');
    assert.deepEqual(result.diagnostics, []);
    const closing = factOf(sideNamed(result, 'pool', 'be_closing'), 'pool-idle');
    assert.deepEqual([closing.value.type, brief(closing).at], ['disabled', 'haproxy/closing.cfg:3']);
    const pooled = sideNamed(result, 'pool', 'be_pooled');
    assert.equal(factOf(pooled, 'pool-idle').value.type, 'unbounded');
    assert.match(
      factOf(pooled, 'pool-idle').notes?.join(' ') ?? '',
      /http-reuse never: idle server connections are not shared/,
    );
    const retry = factOf(pooled, 'retry-policy');
    assert.ok(retry.value.type === 'retry' && retry.value.on.length === 0);
    assert.equal(factOf(sideNamed(result, 'pool', 'be_no_reuse'), 'pool-idle').value.type, 'disabled');
  });

  it('a broken file: every problem with its line, the rest still read', async () => {
    const result = await readFixture(haproxyReader, 'haproxy/broken.cfg');
    assert.deepEqual(
      result.diagnostics.map((d) => [d.line, d.field ?? '', d.message.slice(0, 30)]),
      [
        [1, '', '"maxconn" is outside any secti'],
        [8, '', 'unmatched quote (")'],
        [4, 'timeout client', result.diagnostics[2]!.message.slice(0, 30)],
        [12, 'retries', 'retries needs a number, got "t'],
      ],
    );
    assert.match(result.diagnostics[2]!.message, /30x/);
    assert.ok(sideNamed(result, 'pool', 'be'));
  });
});
