import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Packet, pcap, scenarioPackets } from '../../core/test/capture-builder.js';
import type { CliContext } from '../src/context.js';
import { runCommand } from '../src/mcp/tool.js';
import { progressPhases } from '../src/metrics/progress.js';

/**
 * Progress and cancellation of `evidence` and `verify` as the MCP server runs them (runCommand: the
 * command's own `run`, in-process, with the call's signal and progress callback).
 */

const dir = mkdtempSync(join(tmpdir(), 'kap-mcp-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Progress = { done: number; total: number | undefined; message: string };

function call(
  signal: AbortSignal,
  progress?: (done: number, total: number | undefined, message: string) => void,
) {
  return { signal, env: {}, cwd: dir, progress };
}

describe('evidence and verify under the MCP server: progress and cancellation', () => {
  // 3000 connections (about 2.3 MB, several 256 KiB read chunks), alternately closed by the server
  // after 10 s idle and by the client after 1 s idle: the hop holds (10 s >= 1 s + 5 s margin), so
  // the whole capture is exit 0 and only the interruption can make it anything else.
  const packets: Packet[] = [];
  for (let i = 0; i < 3000; i++) {
    packets.push(
      ...scenarioPackets({
        cport: 20000 + i,
        idleMs: i % 2 ? 1000 : 10_000,
        clientCloses: i % 2 === 1,
        startUs: 1_780_000_000_000_000 + i * 20_000_000,
      }),
    );
  }
  const capture = join(dir, 'many.pcap');
  writeFileSync(capture, pcap(packets, { link: 'ethernet' }));
  const size = statSync(capture).size;

  it('evidence reports the bytes read of the total, and reads everything when not cancelled', async () => {
    const seen: Progress[] = [];
    const outcome = await runCommand(
      'evidence',
      [capture],
      call(new AbortController().signal, (done, total, message) => seen.push({ done, total, message })),
    );
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.exitCode, 0, outcome.stderr);
    assert.equal((outcome.report!.hops as Array<{ verdict: string }>)[0]!.verdict, 'holds');
    assert.equal(outcome.report!.interrupted, false);
    assert.equal(outcome.report!.frames, packets.length);
    assert.ok(seen.length >= 1);
    assert.deepEqual(seen[0], { done: 256 * 1024, total: size, message: seen[0]!.message });
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.done > seen[i - 1]!.done);
  });

  it('evidence stops reading when the call is cancelled: interrupted, part of the frames, exit 2 (nothing cleared)', async () => {
    const controller = new AbortController();
    const outcome = await runCommand(
      'evidence',
      [capture],
      call(controller.signal, () => controller.abort()), // cancelled at the first progress report
    );
    assert.equal(outcome.exitCode, 2);
    assert.equal(outcome.report!.interrupted, true);
    assert.ok(outcome.report!.frames > 0 && (outcome.report!.frames as number) < packets.length);
    assert.match(outcome.stderr, /interrupted/);
  });

  it('verify cancelled before its inputs were read gives no verdict (exit 2, no report)', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, 'not a known log line\n');
    const controller = new AbortController();
    controller.abort();
    const outcome = await runCommand(
      'verify',
      [
        '--change-at',
        '2026-01-31T10:00:00Z',
        '--since',
        '2026-01-31T09:00:00Z',
        '--until',
        '2026-01-31T11:00:00Z',
        log,
      ],
      call(controller.signal),
    );
    assert.equal(outcome.exitCode, 2);
    assert.equal(outcome.report, undefined);
    assert.match(outcome.error!, /verify: interrupted before every input was read; no verdict/);
  });

  it('phases (metrics, then log passes) make one count that only increases', () => {
    const sent: Progress[] = [];
    const context = {
      onProgress: (done: number, total: number | undefined, message: string) =>
        sent.push({ done, total, message }),
    } as unknown as CliContext;
    const phase = progressPhases(context);
    const metrics = phase('metrics');
    metrics.onProgress!(1, 2, 'prom:a read');
    metrics.onProgress!(2, 2, 'prom:b read');
    const before = phase('logs, before window');
    before.onProgress!(100, 1000, '0 MB read');
    before.onProgress!(100, 1000, '0 MB read'); // no progress: not sent
    const afterPass = phase('logs, after window');
    afterPass.onProgress!(50, 1000, '0 MB read');
    assert.deepEqual(sent, [
      { done: 1, total: undefined, message: 'metrics: prom:a read' },
      { done: 2, total: undefined, message: 'metrics: prom:b read' },
      { done: 102, total: undefined, message: 'logs, before window: 0 MB read' },
      { done: 152, total: undefined, message: 'logs, after window: 0 MB read' },
    ]);
    // Without a progress callback the context is passed through unchanged.
    const plain = {} as CliContext;
    assert.equal(progressPhases(plain)('x'), plain);
  });
});
