/**
 * The lab against real proxies (Debian's nginx, HAProxy, Apache, Caddy, installed by .ci/run) and
 * the embedded Node proxy, in deterministic and natural mode. Assertions are on status codes and
 * handler counts from the backend's log, never on timing.
 *
 * Chance. Whether one request meets the race is a matter of chance; each test below needs at
 * least one 502 from a bounded number of requests, sized so that a false failure has probability
 * < 1e-6 per run, from measured rates with a margin:
 *
 * - Deterministic mode (`DETERMINISTIC`): a request the backend's log places inside its 20 ms
 *   late-close window got a 502 113 times in 114 (lab-findings §3.3: miss rate q ≈ 0.009; the
 *   lab re-sends a request that landed outside the window, up to 2× the attempts). Design miss
 *   rate q = 0.1 (11× the measured one: a proxy descheduled > 18 ms on a loaded host).
 *   A scenario that needs a 502 gets 7 requests inside the window: P(no 502) = 0.1^7 = 1e-7.
 *   Its backend keeps idle connections 300 ms (not 1 s) so 7 requests cost about 2.5 s; the
 *   late-close window, and so q, does not depend on that length.
 * - Natural mode: see `NATURAL_BOUND` below.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';
import { alivePids, runLabForTest, scenario } from './lab-helpers/run-lab.js';
import { skipUnless } from './support/binaries.js';

function assertRaceWithoutHandler(
  result: Awaited<ReturnType<typeof runLabForTest>>['result'],
  name: 'mismatch' | 'retry-post',
) {
  const s = scenario(result, name);
  assert.ok(s.requests >= 3, `${name}: at least 3 requests`);
  assert.ok(s.proxy502 > 0, `${name}: expected proxy 502s, got ${JSON.stringify(s.attempts)}`);
  assert.equal(s.failedWithHandler, 0, `${name}: the backend handler must not run for a failed request`);
  for (const a of s.attempts.filter((x) => x.status === 502)) assert.equal(a.handlerCalls, 0);
  assert.ok(s.evidence.length > 0, `${name}: proxy log lines kept as evidence`);
  assert.ok(s.proxyLogSays, `${name}: a proxy log message`);
}

function assertNo502(
  result: Awaited<ReturnType<typeof runLabForTest>>['result'],
  name: 'fixed' | 'retry-get' | 'retry-post',
) {
  const s = scenario(result, name);
  assert.ok(s.requests >= 3, `${name}: at least 3 requests`);
  assert.equal(s.proxy502, 0, `${name}: expected no 502, got ${JSON.stringify(s.attempts)}`);
  assert.equal(s.otherFailures, 0);
  for (const a of s.attempts)
    assert.equal(a.handlerCalls, 1, `${name}: each request runs its handler exactly once`);
}

/**
 * Natural mode: no widening, so whether a request meets the race depends on how late the backend's
 * idle timer fires on this host (lab-findings §3.1, §7.4). Measured per-request 502 rate inside the
 * sweep (11 gaps, 0.5 ms steps over −2 … +3 ms around the measured close, nginx):
 *   - lab-findings §7.4, a quiet 2-vCPU VM: p ≈ 0.27–0.33;
 *   - bench/lab-reproduction (docs/benchmarks.md, load 2–8): 20 / 89 = 0.22;
 *   - this test's machine, 2026-12-06, load average about 3: 3 / 40 (backend keep-alive 1 s) and
 *     4 / 60 (250 ms) = 7 / 100 = 0.07 (one-sided 95 % lower bound 0.033);
 *   - the fresh CI machine that failed the old test: 0 / 24 (consistent with p ≈ 0.07: P = 0.18).
 * Design rate p = 0.02: below every measurement's 95 % lower bound (3.5× below the lowest point
 * estimate). The sweep stops at its first 502; a false failure needs N requests inside the window
 * without one: (1 − p)^N < 1e-6 ⇔ N ≥ ln(1e-6) / ln(0.98) = 683.9, so N = 684. The sweep spreads
 * them over 62 shuffled rounds of the 11 gaps, so the per-request rate is the sweep's average.
 * A request costs about 0.3 s with a 250 ms backend keep-alive (measured 285–303 ms): the bound is
 * reached only on a host where the race is 3.5× rarer than anywhere measured, after about 3.5 min;
 * at p = 0.07 the first 502 comes after 14 requests (4 s) on average. The time limit (15 min) is far
 * above N × 0.3 s so that it never ends the sweep before N (the failure message says if it did).
 */
const NATURAL_WINDOW_MS = 5;
const NATURAL_BOUND = { attempts: 684, timeoutMs: 15 * 60_000 } as const;

/** Deterministic-mode options for tests that need a 502: 7 requests inside the window (see above). */
const DETERMINISTIC = { attempts: 7, backendKeepAliveMs: 300 } as const;

describe('lab, deterministic mode, real proxies', () => {
  test('nginx: mismatch 502s with no handler call, fixed none, retry hides GET but not POST', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const { result, pids } = await runLabForTest({ proxy: 'nginx', ...DETERMINISTIC });
    assert.equal(result.proxy.name, 'nginx');
    assert.match(result.proxy.version ?? '', /^\d+\.\d+/);
    // The backend's idle timer, from its log; it can fire a fraction of a ms early (libuv's cached
    // loop time) or a few ms late on a busy host.
    const measured = result.backend.measuredKeepAliveMs;
    assert.ok(
      measured !== null && measured > 290 && measured < 600,
      `measured ${measured} ms for a configured 300 ms`,
    );
    assertRaceWithoutHandler(result, 'mismatch');
    assertNo502(result, 'fixed');
    assert.equal(scenario(result, 'fixed').reusedPooledConnection, scenario(result, 'fixed').requests);
    assertNo502(result, 'retry-get');
    assert.ok(
      (scenario(result, 'retry-get').retried ?? 0) > 0,
      'nginx logged retried requests (ustatus=502, 200)',
    );
    assertRaceWithoutHandler(result, 'retry-post');
    assert.equal(result.raceReproduced, true);
    assert.deepEqual(alivePids(pids), [], 'every process the lab started is stopped');
  });

  test('HAProxy: mismatch 502s (SH--), fixed none, retry-on hides GET', async (t) => {
    if (skipUnless(t, 'haproxy')) return;
    const { result, pids } = await runLabForTest({
      proxy: 'haproxy',
      ...DETERMINISTIC,
      scenarios: ['mismatch', 'fixed', 'retry-get'],
    });
    assertRaceWithoutHandler(result, 'mismatch');
    assert.match(scenario(result, 'mismatch').proxyLogSays ?? '', /SH--/);
    assertNo502(result, 'fixed');
    assert.ok(scenario(result, 'fixed').notes.some((n) => n.includes('pool-purge-delay')));
    assertNo502(result, 'retry-get');
    assert.deepEqual(alivePids(pids), []);
  });

  test('Apache: mismatch 502s with no handler call, fixed none', async (t) => {
    if (skipUnless(t, 'apache2|httpd')) return;
    const { result, pids } = await runLabForTest({
      proxy: 'apache',
      ...DETERMINISTIC,
      scenarios: ['mismatch', 'fixed'],
    });
    assertRaceWithoutHandler(result, 'mismatch');
    assertNo502(result, 'fixed');
    assert.deepEqual(alivePids(pids), []);
  });

  test('Caddy: the race shows with POST; GET is replayed by Go’s transport', async (t) => {
    if (skipUnless(t, 'caddy')) return;
    const { result, pids } = await runLabForTest({
      proxy: 'caddy',
      ...DETERMINISTIC,
      scenarios: ['mismatch', 'fixed', 'retry-get'],
    });
    assert.equal(scenario(result, 'mismatch').method, 'POST');
    assertRaceWithoutHandler(result, 'mismatch');
    assertNo502(result, 'fixed');
    assertNo502(result, 'retry-get');
    assert.deepEqual(alivePids(pids), []);
  });

  test('embedded Node proxy: same four outcomes as nginx', async () => {
    const { result, pids } = await runLabForTest({ proxy: 'node', ...DETERMINISTIC });
    assert.equal(result.proxy.name, 'node');
    assertRaceWithoutHandler(result, 'mismatch');
    assertNo502(result, 'fixed');
    assertNo502(result, 'retry-get');
    assert.ok((scenario(result, 'retry-get').retried ?? 0) > 0, 'the embedded proxy logged its retries');
    assertRaceWithoutHandler(result, 'retry-post');
    assert.deepEqual(alivePids(pids), []);
  });

  test('kept artifacts: configs, backend and proxy logs stay in the directory', async (t) => {
    if (skipUnless(t, 'nginx')) return;
    const dir = `/tmp/kap-lab-test-${process.pid}`;
    try {
      const { result } = await runLabForTest({
        proxy: 'nginx',
        scenarios: ['mismatch'],
        attempts: 1,
        keepArtifactsDir: dir,
      });
      assert.equal(result.artifactsDir, dir);
      for (const file of [
        'mismatch/nginx.conf',
        'mismatch/error.log',
        'mismatch/access.log',
        'mismatch/backend-mismatch.log',
      ])
        assert.ok(existsSync(`${dir}/${file}`), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('natural mode (no widening) with a capture: sweeps until the first 502, never with a handler call, a pcap', async (t) => {
    if (skipUnless(t, 'nginx', 'tcpdump')) return;
    const dir = `/tmp/kap-lab-natural-${process.pid}`;
    try {
      const { result, pids } = await runLabForTest({
        proxy: 'nginx',
        mode: 'natural',
        windowMs: NATURAL_WINDOW_MS,
        backendKeepAliveMs: 250,
        attempts: NATURAL_BOUND.attempts,
        stopAtFirst502: true,
        timeoutMs: NATURAL_BOUND.timeoutMs,
        scenarios: ['mismatch'],
        keepArtifactsDir: dir,
        capture: true,
      });
      assert.equal(result.backend.closeLagMs, 0, 'natural mode does not widen the window');
      const s = scenario(result, 'mismatch');
      const inWindow = s.attempts.filter((a) => a.insideWindow).length;
      assert.ok(
        s.proxy502 > 0,
        `no 502 in ${inWindow} requests inside the window (${s.requests} in all; bound ${NATURAL_BOUND.attempts}, stopped early: ${s.stoppedEarly}): ${JSON.stringify(s.gaps)}`,
      );
      // It stopped at its first 502: the last request is the only 502.
      assert.equal(s.proxy502, 1);
      assert.equal(s.attempts.at(-1)!.status, 502);
      // Per-gap rates (0.5 ms bins of where each request was written): every request counted once.
      assert.ok(s.gaps && s.gaps.length >= 1);
      assert.equal(
        s.gaps.reduce((n, g) => n + g.attempts, 0),
        s.requests,
      );
      assert.equal(
        s.gaps.reduce((n, g) => n + g.proxy502, 0),
        s.proxy502,
      );
      assert.equal(s.failedWithHandler, 0);
      for (const a of s.attempts) assert.equal(a.handlerCalls, a.status === 200 ? 1 : 0, JSON.stringify(a));
      if (process.getuid?.() === 0) {
        assert.ok(s.capture && statSync(s.capture).size > 24, 'a pcap with packets');
        const decoded = execFileSync('tcpdump', ['-n', '-r', s.capture], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          maxBuffer: 64 * 1024 * 1024,
        });
        assert.match(decoded, /Flags \[R/, 'the capture holds the backend’s RST');
        // Both orderings occur here (RST only; FIN crossed by the request): evidence finds each 502.
        const evidence = await runCli(['evidence', s.capture, '--json'], { timeoutMs: 60_000 });
        assert.equal(parseJson(evidence).racesTotal, s.proxy502, evidence.stdout);
      } else {
        // Without root, tcpdump may not be allowed to capture: then the lab must say so.
        assert.ok(
          s.capture ? statSync(s.capture).size > 24 : s.notes.some((n) => n.startsWith('--capture:')),
          JSON.stringify(s.notes),
        );
      }
      assert.deepEqual(alivePids(pids), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a stock Node backend: calibration measures its real idle close, not keepAliveTimeout', async () => {
    const { result, pids } = await runLabForTest({
      proxy: 'node',
      mode: 'natural',
      stockNodeBackend: true,
      windowMs: 5,
      attempts: 1,
      scenarios: ['mismatch'],
    });
    assert.equal(result.backend.kind, 'node-stock');
    assert.equal(result.backend.configuredKeepAliveMs, 1000);
    const measured = result.backend.measuredKeepAliveMs!;
    // Node 20 arms the idle timer at keepAliveTimeout + 1000 ms (nodejs/node#54863).
    if (process.versions.node.startsWith('20.'))
      assert.ok(measured > 1900 && measured < 2300, String(measured));
    else assert.ok(measured >= 1000, String(measured));
    // The sweep is timed from the measured close, not from the configured 1000 ms: on Node 20 every
    // request went out far past 1000 ms (the driver never writes before the planned instant, the
    // re-estimated close − 2 ms at the earliest). How LATE a request goes out depends on the host's
    // load (164 ms was seen at load average 7), so that is not asserted; a late request is reported
    // outside the window, and one inside it is within the sweep's span of the close.
    const { attempts } = scenario(result, 'mismatch');
    assert.ok(attempts.length >= 1);
    for (const a of attempts) {
      assert.ok(a.gapMs > (process.versions.node.startsWith('20.') ? 1500 : 900), JSON.stringify(a));
      if (a.insideWindow) assert.ok(Math.abs(a.offsetFromMeasuredCloseMs) <= 5, JSON.stringify(a));
    }
    assert.deepEqual(alivePids(pids), []);
  });
});
