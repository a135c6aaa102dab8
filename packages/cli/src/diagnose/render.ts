import type { Diagnosis } from '@keepalive-parity/core';
import type { Palette } from '../render/color.js';
import type { InputSummary } from './run.js';

/** The human summary of a diagnosis (rendered from the same data as --json). */

const VERDICT_TEXT: Record<Diagnosis['verdict'], string> = {
  'keepalive-race': 'KEEP-ALIVE RACE: the backend closes pooled connections the proxy reuses',
  'not-this-trap': 'NOT THIS TRAP: the 5xx have another cause',
  inconclusive: 'INCONCLUSIVE',
};

const n = (v: number) => v.toLocaleString('en-US');

export const PHASE_ORDER = ['connect', 'send-request', 'read-header', 'read-body'] as const;
export const PHASE_NOTE: Record<(typeof PHASE_ORDER)[number], string> = {
  connect: 'connecting',
  'send-request': 'race-shaped',
  'read-header': 'race-shaped',
  'read-body': 'never the race',
};

/** Strips control characters so log text cannot move the cursor or recolour the terminal. */
export function safeText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function renderDiagnosis(
  d: Diagnosis,
  inputs: readonly InputSummary[],
  c: Palette,
  interrupted: boolean,
): string {
  const out: string[] = [];
  const formats = d.formats.map((f) => `${f.id}: ${n(f.lines)} lines`).join(', ');
  out.push(
    `${c.bold('diagnose')}: ${inputs.length} input${inputs.length === 1 ? '' : 's'} (${formats || 'no format'}), ${n(d.requests)} requests, ${n(d.malformedLines)} malformed lines${d.outsideWindowLines > 0 ? `, ${n(d.outsideWindowLines)} outside --since/--until` : ''}`,
  );
  if (interrupted) out.push(c.yellow('interrupted: the result covers what was read so far'));
  out.push('');
  if (d.counts.length > 0) {
    out.push(c.bold('5xx by generator × status × cause'));
    for (const r of d.counts) {
      out.push(
        `  ${r.generator.padEnd(7)} ${String(r.status ?? '-').padEnd(4)} ${(r.cause ?? '-').padEnd(34)} ${n(r.count).padStart(9)}`,
      );
    }
  } else out.push(d.requests === 0 ? 'no request lines (error logs only)' : 'no 5xx responses');
  const ue = Object.entries(d.totals.upstreamErrors);
  if (ue.length > 0) {
    out.push(c.bold('upstream error events (error logs)'));
    for (const [cause, count] of ue.sort((a, b) => b[1] - a[1]))
      out.push(`  ${cause.padEnd(47)} ${n(count).padStart(9)}`);
  }
  const phases = Object.entries(d.phases);
  if (phases.length > 0 || d.totals.midResponse > 0) {
    out.push(c.bold('failures by phase (before any response byte = race-shaped; body = never the race)'));
    for (const phase of PHASE_ORDER) {
      const count = d.phases[phase] ?? 0;
      if (count > 0) out.push(`  ${`${phase} (${PHASE_NOTE[phase]})`.padEnd(47)} ${n(count).padStart(9)}`);
    }
    out.push(
      `  ${'closed mid-response (upstream-closed-mid-response)'.padEnd(51)} ${n(d.totals.midResponse).padStart(5)}`,
    );
  }
  if (d.join.events > 0 && d.join.requests > 0) {
    out.push(
      `${c.bold('per-request join')}: ${n(d.join.joined)} of ${n(d.join.requests)} failed/retried requests joined to their error-log line, ${n(d.join.unjoinedEvents)} error-log events unmatched${d.join.targetByErrorLog > 0 ? `, ${n(d.join.targetByErrorLog)} 5xx attributed to the target (no upstream error logged)` : ''}`,
    );
  }
  out.push('');
  const colour = d.verdict === 'keepalive-race' ? c.red : d.verdict === 'not-this-trap' ? c.green : c.yellow;
  out.push(`${c.bold('verdict')}: ${colour(VERDICT_TEXT[d.verdict])}`);
  for (const r of d.reasons) {
    out.push(`  - ${r.message}`);
    for (const e of r.examples) {
      const ex = d.examples.find((x) => x.file === e.file && x.line === e.line);
      out.push(c.dim(`      ${e.file}:${e.line}${ex ? `  ${safeText(ex.text.slice(0, 160))}` : ''}`));
    }
  }
  const buckets = d.idleGaps.buckets.filter((b) => b.requests > 0);
  if (buckets.some((b) => b.raceCandidates > 0)) {
    out.push('');
    out.push(c.bold('idle gap before the request (per target) → LB-generated 502s'));
    out.push(
      `  ${'gap'.padEnd(14)} ${'requests'.padStart(10)} ${'LB 502'.padStart(8)} ${'rate'.padStart(8)}`,
    );
    for (const b of buckets) {
      out.push(
        `  ${b.label.padEnd(14)} ${n(b.requests).padStart(10)} ${n(b.raceCandidates).padStart(8)} ${((b.raceRate ?? 0) * 100).toFixed(2).padStart(7)}%`,
      );
    }
  }
  const failingTargets = d.idleGaps.perTarget
    .map((t) => ({
      target: t.target,
      failures: t.buckets.reduce((sum, b) => sum + b.raceCandidates, 0),
      requests: t.buckets.reduce((sum, b) => sum + b.requests, 0),
    }))
    .filter((t) => t.failures > 0)
    .sort((a, b) => b.failures - a.failures)
    .slice(0, 5);
  if (failingTargets.length > 1) {
    out.push(c.bold('targets with the most LB-generated 502s'));
    for (const t of failingTargets)
      out.push(`  ${safeText(t.target).padEnd(30)} ${n(t.failures).padStart(8)} of ${n(t.requests)}`);
  }
  out.push('');
  out.push(
    d.keepAliveEstimate
      ? `${c.bold('estimated backend keep-alive')}: ${n(d.keepAliveEstimate.ms)} ms (${d.keepAliveEstimate.confidence} confidence)`
      : `${c.bold('estimated backend keep-alive')}: not enough LB 502s with a known idle gap`,
  );
  if (d.malformedSamples.length > 0) {
    out.push('');
    out.push(c.bold('malformed lines (samples)'));
    for (const s of d.malformedSamples.slice(0, 5)) out.push(`  ${s.file}:${s.line}: ${s.reason}`);
  }
  for (const t of d.truncatedInputs) out.push(c.yellow(`truncated: ${t.file}: ${t.reason}`));
  for (const u of d.unreadableInputs) out.push(c.yellow(`skipped: ${u.file}: ${u.reason}`));
  return `${out.join('\n')}\n`;
}
