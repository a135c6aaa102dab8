import {
  COUNT_KINDS,
  type MetricKind,
  type MetricsInput,
  type MetricsRow,
  type MetricsTotals,
} from './types.js';

/** Normalises the series of one or more inputs into one row per period, and totals. */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emptyRow(tMs: number): Mutable<MetricsRow> {
  return {
    tMs,
    requests: null,
    raceErrors: null,
    lb5xx: null,
    lb503: null,
    lb504: null,
    target5xx: null,
    any5xx: null,
    connectionErrors: null,
    spillover: null,
    healthyHosts: null,
    unhealthyHosts: null,
  };
}

/**
 * Rows on the inputs' period grid. A kind that some input has is 0 in periods it has no point for
 * (CloudWatch omits empty periods of count metrics); a kind no input has stays null.
 */
export function metricsRows(inputs: readonly MetricsInput[]): MetricsRow[] {
  const rows = new Map<number, Mutable<MetricsRow>>();
  const present = new Set<MetricKind>();
  const periodMs = Math.max(...inputs.map((i) => i.periodMs), 1);
  const row = (tMs: number) => {
    const t = Math.floor(tMs / periodMs) * periodMs;
    let r = rows.get(t);
    if (!r) {
      r = emptyRow(t);
      rows.set(t, r);
    }
    return r;
  };
  for (const input of inputs) {
    for (let t = Math.floor(input.fromMs / periodMs) * periodMs; t < input.untilMs; t += periodMs) row(t);
    for (const s of input.series) {
      present.add(s.kind);
      for (const p of s.points) {
        const r = row(p.tMs);
        r[s.kind] = (r[s.kind] ?? 0) + p.value;
      }
    }
  }
  const out = [...rows.values()].sort((a, b) => a.tMs - b.tMs);
  for (const r of out) {
    for (const k of COUNT_KINDS) if (present.has(k) && r[k] === null) r[k] = 0;
  }
  return out;
}

function sum(rows: readonly MetricsRow[], kind: (typeof COUNT_KINDS)[number]): number | null {
  let total: number | null = null;
  for (const r of rows) {
    const v = r[kind];
    if (v !== null) total = (total ?? 0) + v;
  }
  return total === null ? null : Math.round(total);
}

/** A period is degraded when a host is unhealthy or fewer hosts are healthy than the window's most. */
export function isDegraded(row: MetricsRow, maxHealthy: number | null): boolean {
  if ((row.unhealthyHosts ?? 0) > 0) return true;
  return maxHealthy !== null && row.healthyHosts !== null && row.healthyHosts < maxHealthy;
}

export function maxHealthyHosts(rows: readonly MetricsRow[]): number | null {
  let max: number | null = null;
  for (const r of rows) if (r.healthyHosts !== null) max = Math.max(max ?? 0, r.healthyHosts);
  return max;
}

export function metricsTotals(rows: readonly MetricsRow[]): MetricsTotals {
  const maxHealthy = maxHealthyHosts(rows);
  let maxUnhealthy: number | null = null;
  for (const r of rows)
    if (r.unhealthyHosts !== null) maxUnhealthy = Math.max(maxUnhealthy ?? 0, r.unhealthyHosts);
  return {
    requests: sum(rows, 'requests'),
    raceErrors: sum(rows, 'raceErrors'),
    lb5xx: sum(rows, 'lb5xx'),
    lb503: sum(rows, 'lb503'),
    lb504: sum(rows, 'lb504'),
    target5xx: sum(rows, 'target5xx'),
    any5xx: sum(rows, 'any5xx'),
    connectionErrors: sum(rows, 'connectionErrors'),
    spillover: sum(rows, 'spillover'),
    minutes: rows.length,
    degradedPeriods: rows.filter((r) => isDegraded(r, maxHealthy)).length,
    maxUnhealthyHosts: maxUnhealthy,
  };
}

/** `12:34` (UTC) for citing a period. */
export function minuteLabel(tMs: number): string {
  return new Date(tMs).toISOString().slice(11, 16);
}

/** The first few periods' labels, for reasons: `12:01, 12:02, 12:05 (+4 more)`. */
export function citeMinutes(rows: readonly MetricsRow[], max = 5): string {
  const shown = rows.slice(0, max).map((r) => minuteLabel(r.tMs));
  return `${shown.join(', ')}${rows.length > max ? ` (+${rows.length - max} more)` : ''}`;
}
