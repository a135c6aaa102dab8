import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate, evaluateHop, MIN_SAFE_HEADROOM_MS } from '../src/index.js';
import { durationFact, hop, side } from './helpers.js';

const ms = fc.integer({ min: 0, max: 4_000_000 });

describe('the parity rule', () => {
  it('reports keepalive-below-pool-idle exactly when server < client + margin (property)', () => {
    fc.assert(
      fc.property(ms, ms, fc.integer({ min: 0, max: 60_000 }), (clientMs, serverMs, marginMs) => {
        const result = evaluateHop(hop(clientMs, serverMs, marginMs));
        const violated = result.findings.some((f) => f.id === 'keepalive-below-pool-idle');
        assert.equal(violated, serverMs < clientMs + marginMs);
        if (violated) {
          const finding = result.findings.find((f) => f.id === 'keepalive-below-pool-idle')!;
          assert.equal(finding.numbers.shortByMs, clientMs + marginMs - serverMs);
          assert.equal(finding.fixes?.length, 2, 'every violation carries both fixes');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('holds exactly when server >= client + margin and the real headroom is at least 1 s (property)', () => {
    fc.assert(
      fc.property(ms, ms, fc.integer({ min: 0, max: 60_000 }), (clientMs, serverMs, marginMs) => {
        const verdict = evaluateHop(hop(clientMs, serverMs, marginMs)).verdict;
        const holds = serverMs >= clientMs + marginMs && serverMs - clientMs >= MIN_SAFE_HEADROOM_MS;
        assert.equal(verdict, holds ? 'holds' : 'violation');
      }),
      { numRuns: 2000 },
    );
  });

  it('flags equal values and sub-second headroom as not enough, even with a tiny --margin', () => {
    const equal = evaluateHop(hop(60_000, 60_000, 0));
    assert.equal(equal.verdict, 'violation');
    assert.deepEqual(
      equal.findings.map((f) => f.id),
      ['margin-too-thin'],
    );
    const thin = evaluateHop(hop(60_000, 60_500, 100));
    assert.equal(thin.findings[0]?.id, 'margin-too-thin');
    assert.equal(thin.findings[0]?.numbers.headroomMs, 500);
    assert.equal(evaluateHop(hop(60_000, 61_000, 1000)).verdict, 'holds');
  });

  it('the fixes name the target values: raise to client + margin, lower to server − margin', () => {
    const finding = evaluateHop(hop(60_000, 62_000, 5_000)).findings[0]!;
    const raise = finding.fixes!.find((f) => f.action === 'raise-server-keepalive')!;
    const lower = finding.fixes!.find((f) => f.action === 'lower-pool-idle')!;
    assert.equal(raise.targetMs, 65_000);
    assert.equal(lower.targetMs, 57_000);
    assert.ok(raise.possible && lower.possible);
  });

  it('an unbounded client pool against a bounded server is always a violation', () => {
    const h = {
      index: 0,
      name: 'agent → node',
      client: side('agent', [
        { subject: 'pool-idle', value: { type: 'unbounded' }, provenance: { kind: 'derived', from: 'test' } },
      ]),
      server: side('node', [durationFact('server-keepalive', 3_600_000)]),
      marginMs: 5000,
    } as const;
    const result = evaluateHop(h);
    assert.equal(result.verdict, 'violation');
    assert.equal(result.findings[0]?.id, 'unbounded-pool-bounded-server');
  });

  it('a server without keep-alive cannot race; an unknown side gives verdict unknown', () => {
    const off = evaluateHop({
      ...hop(60_000, 0, 5000),
      server: side('gunicorn sync', [
        {
          subject: 'server-keepalive',
          value: { type: 'disabled' },
          provenance: { kind: 'derived', from: 't' },
        },
      ]),
    });
    assert.equal(off.verdict, 'holds');
    assert.equal(off.findings[0]?.id, 'keepalive-disabled');
    const unknown = evaluateHop({ ...hop(60_000, 0, 5000), server: side('app', []) });
    assert.equal(unknown.verdict, 'unknown');
    assert.equal(unknown.findings[0]?.id, 'value-unknown');
  });

  it('a chain is judged hop by hop: only the wrong hop is a violation', () => {
    const result = evaluate([
      hop(5_000, 65_000, 5_000, 0),
      hop(60_000, 5_000, 5_000, 1),
      hop(60_000, 75_000, 5_000, 2),
    ]);
    assert.equal(result.verdict, 'violation');
    assert.deepEqual(
      result.hops.map((h) => h.verdict),
      ['holds', 'violation', 'holds'],
    );
    assert.deepEqual(
      new Set(result.findings.filter((f) => f.severity === 'error').map((f) => f.hopIndex)),
      new Set([1]),
    );
  });

  it('suspects a unit mistake: Node keepAliveTimeout 65 (ms) next to an LB in seconds', () => {
    const result = evaluateHop({
      ...hop(60_000, 65, 5000),
      server: side(
        'node',
        [durationFact('server-keepalive', 65, { unit: 'milliseconds', setting: 'server.keepAliveTimeout' })],
        'node',
      ),
    });
    const unit = result.findings.find((f) => f.id === 'suspected-unit-mistake');
    assert.ok(unit, 'unit mistake reported');
    assert.equal(unit.numbers.ifSecondsMs, 65_000);
    assert.equal(result.verdict, 'violation');
  });

  it("warns when Node's headersTimeout is not above keepAliveTimeout", () => {
    const result = evaluateHop({
      ...hop(60_000, 65_000, 5000),
      server: side('node', [
        durationFact('server-keepalive', 65_000),
        durationFact('headers-timeout', 60_000),
      ]),
    });
    const finding = result.findings.find((f) => f.id === 'headers-timeout-not-above-keepalive');
    assert.ok(finding);
    assert.equal(finding.numbers.suggestedHeadersTimeoutMs, 66_000);
    assert.equal(result.verdict, 'holds', 'a warning does not make a violation');
  });
});
