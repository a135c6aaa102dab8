/** The core's `probe:` source turns a measurement into a server-keepalive fact (pure, no sockets). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ProbeMeasurement, parseSource, probeFact } from '@keepalive-parity/core';

const base: ProbeMeasurement = {
  url: 'http://10.0.3.7:8080/healthz',
  measuredAt: '2026-11-24T08:00:00.000Z',
  samples: 3,
  medianMs: 2003.4,
  keepAlive: true,
  protocol: 'http/1.1',
  advertisedTimeoutSeconds: 1,
};

describe('probe: source', () => {
  it('the locator keeps the whole URL (a # is not a fragment)', () => {
    const spec = parseSource('probe:http://10.0.3.7:8080/healthz?x=1#y', '--backend');
    assert.equal(spec.kind, 'probe');
    assert.equal(spec.locator, 'http://10.0.3.7:8080/healthz?x=1#y');
  });

  it('a median becomes a whole-ms duration with probe provenance and notes', () => {
    const fact = probeFact(base, '--backend');
    assert.equal(fact.subject, 'server-keepalive');
    assert.deepEqual(fact.value, { type: 'duration', ms: 2003, text: '2003.4ms' });
    assert.deepEqual(fact.provenance, {
      kind: 'probe',
      url: base.url,
      measuredAt: base.measuredAt,
      samples: 3,
      through: 'direct',
    });
    assert.ok(fact.notes?.some((note) => note.includes('timeout=1')));
  });

  it('no keep-alive is disabled; never closing is a lower bound', () => {
    assert.equal(
      probeFact({ ...base, keepAlive: false, medianMs: null }, '--backend').value.type,
      'disabled',
    );
    const open = probeFact({ ...base, medianMs: null, openForAtLeastMs: 600_000 }, '--backend');
    assert.deepEqual(open.value, { type: 'duration', ms: 600_000, text: '600000ms' });
    assert.ok(open.notes?.some((note) => note.startsWith('lower bound')));
  });

  it('HTTP/2 only, a failure, or nothing measured is an error naming the flag', () => {
    assert.throws(
      () => probeFact({ ...base, protocol: 'h2-only', medianMs: null }, '--backend'),
      /--backend: .*HTTP\/2/,
    );
    assert.throws(
      () => probeFact({ ...base, error: 'cannot connect', medianMs: null }, '--backend'),
      /probe failed: cannot connect/,
    );
    assert.throws(
      () => probeFact({ ...base, medianMs: null, keepAlive: null }, '--backend'),
      /measured no idle close/,
    );
  });
});
