import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../src/lab/processes.js';
import { parseJson, runCli } from './cli-helpers.js';
import { type Drive, type Rig, startRig } from './metrics-helpers/race-rig.js';
import { requireBinaries } from './support/binaries.js';

/**
 * prom: end to end. A real Prometheus (/usr/bin/prometheus, 1 s scrape) scrapes a real HAProxy's
 * built-in exporter while the lab's driver and backend produce the real race through that HAProxy
 * (see metrics-helpers/race-rig.ts), then real target 500s, then healthy traffic; `diagnose prom:`
 * must name each correctly, and `verify` must pass after the real fix and fail without it.
 *
 * False-failure bound. Every cycle's test request is written 250 ms after the prime's response,
 * the middle of the backend's 100 ms late-close window [200 ms, 300 ms). It misses only if a timer
 * (the driver's, HAProxy's or the backend's) runs more than 50 ms late; a miss is a 200, never a
 * false 5xx, so misses can only lower the race count. Assume each of the 40 cycles hits with
 * probability p ≥ 0.5, independently (measured: 38 to 40 of 40 per round under load, docs/benchmarks.md). The tests
 * need: race verdict ≥ 3 hits, in the first race phase and in the reused-connection phase alike
 * (P(Bin(40, ½) < 3) = 821 / 2^40 ≈ 7.5e-10 each); verify exit 0 ≥ 5 hits before, since zero errors
 * in the 80 requests after are significant only from there ((1 − 5/80)^80 = 0.0057 < 0.01; with 4
 * hits 0.0165): P(Bin(40, ½) ≤ 4) = 102091 / 2^40 ≈ 9.3e-8; verify exit 1 needs the second race
 * phase not to fall under 10% of the expected count, i.e. ≥ 4 hits given the before-rate ≤ ½ per
 * request (P(Bin(40, ½) ≤ 3) = 10701 / 2^40 ≈ 9.7e-9). Sum < 2e-7 < 1e-6. The healthy and 500
 * phases involve no chance: the
 * fixed backend's 5 s keep-alive is 20× the gap, and the 500 server answers 500 every time.
 */

const CYCLES = 40;
const iso = (ms: number) => new Date(ms).toISOString();

const SUITE = 'prom: a real Prometheus scraping a real HAProxy exporter while the lab drives the race';

describe(SUITE, requireBinaries('prometheus', 'haproxy'), () => {
  let rig: Rig;
  const phases: Record<string, Drive> = {};
  const window = (d: Drive) => ['--since', iso(d.startMs - 1000), '--until', iso(d.endMs + 3000)];
  const count = (d: Drive, status: number) => d.statuses.filter((s) => s === status).length;
  /** `diagnose prom:URL#{proxy="BACKEND"}` over a phase's window, 1 s periods, plus `extra`. */
  const diagnoseProm = (backend: string, d: Drive, extra: string[] = []) =>
    runCli([
      'diagnose',
      `prom:${rig.promUrl}#{proxy="${backend}"}`,
      ...window(d),
      '--period',
      '1s',
      ...extra,
    ]);

  before(async () => {
    rig = await startRig('haproxy', true);
    phases.race = await rig.drive('/race', CYCLES);
    await rig.settle();
    phases.err = await rig.drive('/err', 10);
    await rig.settle();
    phases.fixed = await rig.drive('/fixed', CYCLES);
    await rig.settle();
    phases.race2 = await rig.drive('/race', CYCLES);
    await rig.settle();
    phases.reused = await rig.driveReused('/race', CYCLES);
    await rig.settle();
  });
  after(async () => {
    const pids = rig?.pids ?? [];
    await rig?.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
  });

  it('race: response errors with no target 5xx → keepalive-race (exit 1); counts match what the client saw', async () => {
    const races = count(phases.race!, 502);
    assert.ok(races >= 3, `only ${races} races of ${CYCLES} (see the false-failure bound)`);
    const result = await diagnoseProm('be_race', phases.race!, ['--json']);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'keepalive-race');
    assert.equal(doc.metrics.platforms[0].id, 'haproxy');
    // raceErrors counts the race in both of HAProxy's forms (lab-findings §9): a 502, or the client
    // connection closed with no response (status null here), which a loaded host can produce even
    // on a new client connection. HAProxy's own 5xx are the 502s alone.
    const noResponse = phases.race!.statuses.filter((s) => s === null).length;
    assert.equal(doc.metrics.totals.raceErrors, races + noResponse);
    assert.equal(doc.metrics.totals.lb5xx, races); // HAProxy's own 502s: backend 5xx − server 5xx
    assert.equal(doc.metrics.totals.target5xx, 0);
    assert.equal(doc.metrics.totals.requests, phases.race!.statuses.length);
    assert.ok(doc.metrics.reasons.some((r: any) => r.code === 'race-signature'));
  });

  it('race on a reused client connection: no response and no 5xx at all, still keepalive-race from response_errors', async () => {
    const dropped = phases.reused!.statuses.filter((s) => s === null).length;
    assert.ok(dropped >= 3, `only ${dropped} races of ${CYCLES} (see the false-failure bound)`);
    assert.equal(count(phases.reused!, 502), 0);
    const result = await diagnoseProm('be_race', phases.reused!, ['--json']);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'keepalive-race');
    assert.equal(doc.metrics.totals.lb5xx, 0); // a 5xx-only alarm would see nothing
    assert.equal(doc.metrics.totals.raceErrors, dropped);
  });

  it("metrics mixed with logs: prom: and HAProxy's own httplog in one diagnose → one combined verdict, one HTML report", async () => {
    const html = `${rig.accessLog}.html`;
    const result = await diagnoseProm('be_race', phases.race!, [
      rig.accessLog!,
      '--json',
      '--html',
      html,
      '--no-progress',
    ]);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'keepalive-race');
    assert.equal(doc.metrics.verdict, 'keepalive-race');
    assert.ok(['keepalive-race', 'inconclusive'].includes(doc.logVerdict), doc.logVerdict);
    assert.deepEqual(
      doc.formats.map((f: any) => f.id),
      ['haproxy'],
    );
    const { readFile } = await import('node:fs/promises');
    const page = await readFile(html, 'utf8');
    assert.match(page, /id="kap-metrics"/);
    assert.match(page, /id="time"/); // the log report's own chart is still there
  });

  it('target 500s: the 5xx counter rises without response errors → not-this-trap (target-failures)', async () => {
    assert.equal(count(phases.err!, 500), 20);
    const result = await diagnoseProm('be_err', phases.err!, ['--json']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'not-this-trap');
    assert.equal(doc.metrics.totals.raceErrors, 0);
    assert.equal(doc.metrics.totals.target5xx, 20);
    assert.ok(doc.metrics.reasons.some((r: any) => r.code === 'target-failures'));
  });

  it('healthy: the fixed keep-alive → not-this-trap (no-lb-errors); the human view says so', async () => {
    assert.equal(count(phases.fixed!, 200), 2 * CYCLES);
    const result = await diagnoseProm('be_fixed', phases.fixed!);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /NOT THIS TRAP \(metrics\)/);
    assert.match(result.stdout, /\[no-lb-errors\] 80 requests in \d+ periods and no LB-generated error/);
  });

  it('verify through Prometheus: exit 0 after the real fix, exit 1 without it', async () => {
    const sel = `prom:${rig.promUrl}#{proxy=~"be_race|be_fixed"}`;
    const w = (d: Drive) => `${iso(d.startMs - 1000)}/${iso(d.endMs + 3000)}`;
    const fixed = await runCli([
      'verify',
      '--before',
      w(phases.race!),
      '--after',
      w(phases.fixed!),
      sel,
      '--period',
      '1s',
      '--json',
    ]);
    assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
    const doc = parseJson(fixed);
    assert.equal(doc.verdict, 'verified');
    const r = doc.sources[0].result;
    assert.equal(r.model, 'binomial-per-request');
    assert.equal(r.after.raceErrors, 0);
    // P(0 | Binomial(n_after, k_before / n_before)) = (1 − k/n)^n_after, exactly.
    const p = r.before.raceErrors / r.before.requests;
    assert.ok(Math.abs(r.probability - (1 - p) ** r.after.requests) <= 1e-9);
    const broken = await runCli([
      'verify',
      '--before',
      w(phases.race!),
      '--after',
      w(phases.race2!),
      sel,
      '--period',
      '1s',
    ]);
    assert.equal(broken.code, 1, broken.stderr + broken.stdout);
    assert.match(broken.stdout, /NOT VERIFIED: the errors remain/);
  });
});
