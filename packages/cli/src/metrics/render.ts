import { type MetricsDiagnosis, type MetricsInput, minuteLabel } from '@keepalive-parity/core';
import { safeText } from '../diagnose/render.js';
import type { Palette } from '../render/color.js';

/** The human view and the JSON document of a metrics diagnosis (rendered from the same data). */

const VERDICT_TEXT: Record<MetricsDiagnosis['verdict'], string> = {
  'keepalive-race': 'KEEP-ALIVE RACE (metrics): LB-generated errors while the targets answer no 5xx',
  'not-this-trap': 'NOT THIS TRAP (metrics): the errors have another cause, or there are none',
  inconclusive: 'INCONCLUSIVE (metrics)',
};

const num = (v: number | null) => (v === null ? 'not read' : Math.round(v).toLocaleString('en-US'));

export function renderMetrics(d: MetricsDiagnosis, inputs: readonly MetricsInput[], c: Palette): string {
  const out: string[] = [];
  out.push(c.bold('metrics'));
  for (const i of inputs) {
    out.push(
      `  ${safeText(i.name)}: ${safeText(i.resource)}; ${new Date(i.fromMs).toISOString()} to ${new Date(i.untilMs).toISOString()}, ${i.periodMs / 1000}-second periods`,
    );
    for (const note of i.notes) out.push(c.dim(`    ${safeText(note)}`));
    for (const m of i.missing)
      out.push(c.yellow(`    missing: ${m.kind} (${safeText(m.source)}): ${m.reason}`));
  }
  const t = d.totals;
  out.push(
    `  totals over ${t.minutes} periods: ${num(t.requests)} requests, ${num(t.raceErrors)} LB errors of the race's form, ${num(t.lb5xx)} LB 5xx, ${num(t.target5xx)} target 5xx${t.any5xx !== null ? `, ${num(t.any5xx)} 5xx of either origin` : ''}${t.maxUnhealthyHosts !== null ? `, up to ${t.maxUnhealthyHosts} unhealthy hosts` : ''}`,
  );
  const busy = d.rows.filter(
    (r) => (r.raceErrors ?? 0) + (r.target5xx ?? 0) + (r.lb5xx ?? 0) + (r.any5xx ?? 0) > 0,
  );
  if (busy.length > 0) {
    out.push(
      '',
      c.bold(`  periods with errors (${busy.length})`),
      '  time   requests  race-form  lb5xx  target5xx  unhealthy',
    );
    for (const r of busy.slice(0, 20)) {
      out.push(
        `  ${minuteLabel(r.tMs)}  ${num(r.requests).padStart(8)}  ${num(r.raceErrors).padStart(9)}  ${num(r.lb5xx).padStart(5)}  ${num(r.target5xx).padStart(9)}  ${num(r.unhealthyHosts).padStart(9)}`,
      );
    }
    if (busy.length > 20) out.push(c.dim(`  (+${busy.length - 20} more periods in --json)`));
  }
  out.push('');
  const colour = d.verdict === 'keepalive-race' ? c.red : d.verdict === 'not-this-trap' ? c.green : c.yellow;
  out.push(colour(c.bold(VERDICT_TEXT[d.verdict])));
  for (const r of d.reasons) out.push(`  - [${r.code}] ${safeText(r.message)}`);
  for (const n of d.next) out.push(c.dim(`  next: ${n}`));
  return `${out.join('\n')}\n`;
}

/** The `metrics` member of the JSON documents (diagnose and verify). */
export function metricsDocument(d: MetricsDiagnosis, inputs: readonly MetricsInput[]): object {
  return {
    verdict: d.verdict,
    reasons: d.reasons,
    periodMs: d.periodMs,
    totals: d.totals,
    quietPeriod: d.quietPeriod,
    platforms: d.platforms,
    missing: d.missing,
    next: d.next,
    inputs: inputs.map((i) => ({
      name: i.name,
      platform: i.platform,
      resource: i.resource,
      periodMs: i.periodMs,
      from: new Date(i.fromMs).toISOString(),
      until: new Date(i.untilMs).toISOString(),
      series: i.series.map((s) => ({ kind: s.kind, source: s.source, points: s.points.length })),
      notes: i.notes,
    })),
    perPeriod: d.rows.map((r) => ({ ...r, time: new Date(r.tMs).toISOString() })),
  };
}
