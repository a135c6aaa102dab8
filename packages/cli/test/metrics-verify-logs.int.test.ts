import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../src/lab/processes.js';
import { parseJson, runCli } from './cli-helpers.js';
import { type Drive, type Rig, startRig } from './metrics-helpers/race-rig.js';
import { requireBinaries } from './support/binaries.js';

/**
 * `verify` from logs: a real nginx in front of the lab's backend (metrics-helpers/race-rig.ts), the
 * race first (keep-alive 200 ms with the deterministic late close), then the fixed keep-alive, then
 * the race again; nginx's own access log is the input. Exit 0 for race → fixed, 1 for race → race.
 *
 * False-failure bound: as in metrics-prometheus.int.test.ts, each of the 40 cycles hits the
 * late-close window with probability p ≥ 0.5. Exit 0 needs ≥ 5 hits before, since zero errors in the
 * 80 requests after are significant only from there ((1 − 5/80)^80 = 0.0057 < 0.01; with 4 hits
 * 0.0165): P(Bin(40, ½) ≤ 4) = 102091 / 2^40 ≈ 9.3e-8. Exit 1 needs ≥ 4 hits in the second race
 * phase: P(Bin(40, ½) ≤ 3) ≈ 9.7e-9. nginx logs whole seconds, so the phases are 2 s apart and each
 * window runs from its phase's first second to one second past its last.
 */

const CYCLES = 40;
const FORMAT =
  '$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_connect_time $request_time';
const second = (ms: number) => Math.floor(ms / 1000) * 1000;
const window = (d: Drive) =>
  `${new Date(second(d.startMs)).toISOString()}/${new Date(second(d.endMs) + 1000).toISOString()}`;

describe('verify on a real before/after through nginx access logs', requireBinaries('nginx'), () => {
  let rig: Rig;
  const phases: Record<string, Drive> = {};
  before(async () => {
    rig = await startRig('nginx', false);
    phases.race = await rig.drive('/race', CYCLES);
    await new Promise((r) => setTimeout(r, 2000));
    phases.fixed = await rig.drive('/fixed', CYCLES);
    await new Promise((r) => setTimeout(r, 2000));
    phases.race2 = await rig.drive('/race', CYCLES);
    await new Promise((r) => setTimeout(r, 500)); // nginx writes its access log per request
  });
  after(async () => {
    const pids = rig?.pids ?? [];
    await rig?.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
  });

  it('race → fixed keep-alive: exit 0, the probability is the exact binomial tail', async () => {
    const races = phases.race!.statuses.filter((s) => s === 502).length;
    assert.ok(races >= 5, `only ${races} races before the change (see the false-failure bound)`);
    const result = await runCli([
      'verify',
      '--before',
      window(phases.race!),
      '--after',
      window(phases.fixed!),
      rig.accessLog!,
      '--nginx-log-format',
      FORMAT,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'verified');
    const r = doc.sources[0].result;
    assert.equal(doc.sources[0].source, 'logs');
    assert.equal(r.before.raceErrors, races);
    assert.equal(r.before.requests, 2 * CYCLES);
    assert.equal(r.after.raceErrors, 0);
    assert.equal(r.after.requests, 2 * CYCLES);
    assert.ok(Math.abs(r.probability - (1 - races / (2 * CYCLES)) ** (2 * CYCLES)) <= 1e-12);
  });

  it('race → race again (no fix): exit 1, and the human view says the errors remain', async () => {
    const result = await runCli([
      'verify',
      '--before',
      window(phases.race!),
      '--after',
      window(phases.race2!),
      rig.accessLog!,
      '--nginx-log-format',
      FORMAT,
    ]);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.match(result.stdout, /NOT VERIFIED: the errors remain/);
    assert.match(result.stdout, /had the old rate \([\d.]+ per 1000 requests\) continued/);
  });
});
