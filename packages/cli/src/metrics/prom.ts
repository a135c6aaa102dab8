import {
  KeepaliveParityError,
  type MetricKind,
  type MetricSeries,
  type MetricsInput,
  type MetricsPlatform,
  type MissingSeries,
} from '@keepalive-parity/core';
import type { MetricsWindow } from './inputs.js';

/**
 * Prometheus over its HTTP API (read-only: GET /api/v1/query_range and /api/v1/series). Counters
 * are read raw at each step and differenced here (a drop is a counter reset: the new value counts),
 * so the counts are exact rather than `increase()`'s extrapolation. Which exporter is behind the
 * server is found by asking which of the known metric names have series under the selector.
 */

const MAX_POINTS = 11_000; // Prometheus refuses more than 11,000 points per series.
const TIMEOUT_MS = 30_000;

interface Query {
  readonly kind: MetricKind;
  /** Read only as an input of `derive` (counted under `raw:<kind>`), not published as it is. */
  readonly raw?: true;
  /** A metric (with `SEL` where the user's label matchers go, merged with the query's own). */
  readonly expr: string;
  /** counter: differenced per period; gauge-min / gauge-max: the value at each step. */
  readonly type: 'counter' | 'gauge';
}

interface DerivedSeries {
  readonly kind: MetricKind;
  readonly source: string;
  readonly values: readonly number[];
}

interface Exporter {
  readonly platform: MetricsPlatform;
  /** A metric whose presence identifies the exporter. */
  readonly probe: string;
  readonly queries: readonly Query[];
  /** Per period, derived from the raw kinds (HAProxy's target 5xx). */
  readonly derive?: (counts: ReadonlyMap<string, number[]>) => DerivedSeries[];
  readonly notes: readonly string[];
}

/** Exporters in detection order; every metric's meaning and source link is in docs/metrics.md. */
export const EXPORTERS: readonly Exporter[] = [
  {
    platform: 'haproxy',
    probe: 'haproxy_backend_http_requests_total',
    queries: [
      { kind: 'requests', expr: 'haproxy_backend_http_requests_total{SEL}', type: 'counter' },
      { kind: 'raceErrors', raw: true, expr: 'haproxy_backend_response_errors_total{SEL}', type: 'counter' },
      {
        kind: 'lb5xx',
        raw: true,
        expr: 'haproxy_backend_http_responses_total{SEL,code="5xx"}',
        type: 'counter',
      },
      { kind: 'target5xx', expr: 'haproxy_server_http_responses_total{SEL,code="5xx"}', type: 'counter' },
      { kind: 'connectionErrors', expr: 'haproxy_backend_connection_errors_total{SEL}', type: 'counter' },
      { kind: 'healthyHosts', expr: 'haproxy_backend_active_servers{SEL}', type: 'gauge' },
      {
        kind: 'unhealthyHosts',
        expr: 'haproxy_server_status{SEL,state=~"DOWN|MAINT|DRAIN|NOLB"}',
        type: 'gauge',
      },
    ],
    // The backend's 5xx count every 5xx it returned; the servers' count only what servers answered,
    // so HAProxy's own 5xx are the difference. The race shows in response_errors in two forms
    // (measured on HAProxy 2.6.12): a 502 on a new client connection, counted twice in
    // response_errors; no response at all on a reused client connection, counted once and no 5xx
    // (lab-findings §9). Per period: a = min(own 5xx, ⌊response errors / 2⌋) races answered 502,
    // b = response errors − 2a races answered with a closed connection; the race count is a + b.
    derive(counts) {
      const own5xx = counts.get('raw:lb5xx');
      const errors = counts.get('raw:raceErrors');
      const target = counts.get('target5xx');
      const out: DerivedSeries[] = [];
      const ownValues = own5xx?.map((v, i) => Math.max(0, v - (target?.[i] ?? 0)));
      if (ownValues) {
        out.push({
          kind: 'lb5xx',
          source:
            'haproxy_backend_http_responses_total{code="5xx"} − haproxy_server_http_responses_total{code="5xx"}',
          values: ownValues,
        });
      }
      if (errors) {
        out.push({
          kind: 'raceErrors',
          source:
            "haproxy_backend_response_errors_total (a 502 counts twice, a closed client connection once) with HAProxy's own 5xx",
          values: errors.map((e, i) => {
            const answered = Math.min(ownValues?.[i] ?? 0, Math.floor(e / 2));
            return answered + (e - 2 * answered);
          }),
        });
      }
      return out;
    },
    notes: [
      'HAProxy: the race on a reused client connection gets no response and counts no 5xx; response_errors counts it (lab-findings §9), so it is read with the 5xx counters',
    ],
  },
  {
    platform: 'istio',
    probe: 'istio_requests_total',
    queries: [
      { kind: 'requests', expr: 'istio_requests_total{SEL,reporter="source"}', type: 'counter' },
      {
        kind: 'raceErrors',
        expr: 'istio_requests_total{SEL,reporter="source",response_flags="UC"}',
        type: 'counter',
      },
      {
        kind: 'lb503',
        expr: 'istio_requests_total{SEL,reporter="source",response_code="503",response_flags=~"UF|UH|NR|URX|UO"}',
        type: 'counter',
      },
      {
        kind: 'lb504',
        expr: 'istio_requests_total{SEL,reporter="source",response_code="504"}',
        type: 'counter',
      },
      {
        kind: 'target5xx',
        expr: 'istio_requests_total{SEL,reporter="destination",response_code=~"5.."}',
        type: 'counter',
      },
    ],
    notes: [
      'Istio: client-side (reporter="source") sidecar counts; the destination sidecar\'s 5xx are the target\'s',
    ],
  },
  {
    platform: 'envoy',
    probe: 'envoy_cluster_upstream_cx_destroy_remote_with_active_rq',
    queries: [
      { kind: 'requests', expr: 'envoy_cluster_upstream_rq_total{SEL}', type: 'counter' },
      {
        kind: 'raceErrors',
        expr: 'envoy_cluster_upstream_cx_destroy_remote_with_active_rq{SEL}',
        type: 'counter',
      },
      { kind: 'lb504', expr: 'envoy_cluster_upstream_rq_timeout{SEL}', type: 'counter' },
      { kind: 'connectionErrors', expr: 'envoy_cluster_upstream_cx_connect_fail{SEL}', type: 'counter' },
      { kind: 'healthyHosts', expr: 'envoy_cluster_membership_healthy{SEL}', type: 'gauge' },
    ],
    notes: [
      "Envoy: envoy_cluster_upstream_rq{envoy_response_code=\"5xx\"} mixes Envoy's own 503 (UC) with the target's 5xx, so target 5xx are not read; the access log's %RESPONSE_FLAGS% separates them",
    ],
  },
  {
    platform: 'ingress-nginx',
    probe: 'nginx_ingress_controller_requests',
    queries: [
      { kind: 'requests', expr: 'nginx_ingress_controller_requests{SEL}', type: 'counter' },
      { kind: 'any5xx', expr: 'nginx_ingress_controller_requests{SEL,status=~"5.."}', type: 'counter' },
    ],
    notes: [],
  },
  {
    platform: 'traefik',
    probe: 'traefik_service_requests_total',
    queries: [
      { kind: 'requests', expr: 'traefik_service_requests_total{SEL}', type: 'counter' },
      { kind: 'any5xx', expr: 'traefik_service_requests_total{SEL,code=~"5.."}', type: 'counter' },
      { kind: 'healthyHosts', expr: 'traefik_service_server_up{SEL}', type: 'gauge' },
    ],
    notes: [],
  },
];

/** `metric{SEL,extra}` with the user's selector `{a="b"}` → `metric{a="b",extra}`. */
export function withSelector(expr: string, selector: string): string {
  const inner = selector
    .replace(/^\{|\}$/g, '')
    .trim()
    .replace(/,\s*$/, '');
  return expr.replace('{SEL,', inner ? `{${inner},` : '{').replace('{SEL}', inner ? `{${inner}}` : '');
}

type Fetch = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

async function promGet(
  base: string,
  path: string,
  params: Record<string, string>,
  name: string,
  signal: AbortSignal,
  fetchImpl: Fetch,
): Promise<unknown> {
  const url = `${base}${path}?${new URLSearchParams(params).toString()}`;
  let text: string;
  let status: number;
  try {
    const response = await fetchImpl(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `${name}: cannot reach Prometheus at ${base} (${(error as Error).message})`,
      { field: name },
    );
  }
  let doc: { status?: string; data?: unknown; error?: string; errorType?: string };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${name}: ${path} answered HTTP ${status} with something that is not Prometheus JSON: ${JSON.stringify(text.slice(0, 120))}`,
      { field: name },
    );
  }
  if (doc.status !== 'success') {
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${name}: Prometheus refused ${path} (HTTP ${status}): ${doc.errorType ?? ''} ${doc.error ?? ''}`.trim(),
      { field: name },
    );
  }
  return doc.data;
}

interface RangeResult {
  readonly metric: Record<string, string>;
  readonly values: ReadonlyArray<[number, string]>;
}

/** Per-period values on the grid `starts` from raw range results (counters differenced, gauges summed). */
export function perPeriod(
  results: readonly RangeResult[],
  type: Query['type'],
  starts: readonly number[],
  stepMs: number,
  /**
   * Exporters create a labelled series (response_flags="UC", code="503") at its first event, so a
   * series of such a query that first appears after the window's start counts its first value too.
   */
  bornInWindow = false,
): number[] {
  const out = new Array<number>(starts.length).fill(0);
  const index = new Map(starts.map((t, i) => [t, i]));
  for (const r of results) {
    const points = r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as const);
    if (type === 'gauge') {
      for (const [t, v] of points) {
        const i = index.get(t - stepMs); // the value at the end of a period stands for it
        if (i !== undefined && Number.isFinite(v)) out[i]! += v;
      }
      continue;
    }
    const first = points[0];
    if (bornInWindow && first && first[0] > starts[0]! && Number.isFinite(first[1])) {
      const i = index.get(first[0] - stepMs);
      if (i !== undefined) out[i]! += first[1];
    }
    for (let k = 1; k < points.length; k++) {
      const [t0, v0] = points[k - 1]!;
      const [t1, v1] = points[k]!;
      if (t1 - t0 !== stepMs || !Number.isFinite(v1)) continue;
      const i = index.get(t0);
      if (i === undefined) continue;
      out[i]! += v1 >= v0 ? v1 - v0 : v1; // a drop is a counter reset
    }
  }
  return out;
}

export async function readPrometheus(
  spec: { name: string; url: string; selector: string },
  window: MetricsWindow,
  signal: AbortSignal,
  fetchImpl: Fetch = fetch as unknown as Fetch,
): Promise<MetricsInput> {
  const stepMs = window.periodMs ?? 60_000;
  const startMs = Math.floor(window.sinceMs / stepMs) * stepMs;
  const endMs = Math.ceil(window.untilMs / stepMs) * stepMs;
  if ((endMs - startMs) / stepMs > MAX_POINTS - 1) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `${spec.name}: ${Math.round((endMs - startMs) / stepMs)} periods of ${stepMs / 1000} s is more than Prometheus returns in one query (${MAX_POINTS}); shorten --since/--until or raise --period`,
      { field: '--period' },
    );
  }
  // Which exporter: the first whose probe metric has series under the selector in the window.
  let exporter: Exporter | undefined;
  for (const candidate of EXPORTERS) {
    const data = (await promGet(
      spec.url,
      '/api/v1/series',
      {
        'match[]': withSelector(`${candidate.probe}{SEL}`, spec.selector) || candidate.probe,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
      },
      spec.name,
      signal,
      fetchImpl,
    )) as unknown[];
    if (Array.isArray(data) && data.length > 0) {
      exporter = candidate;
      break;
    }
  }
  if (!exporter) {
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `${spec.name}: no series of a known exporter${spec.selector ? ` under ${spec.selector}` : ''} between ${new Date(startMs).toISOString()} and ${new Date(endMs).toISOString()} (looked for ${EXPORTERS.map((e) => e.probe).join(', ')})`,
      { field: spec.name },
    );
  }
  const starts: number[] = [];
  for (let t = startMs; t < endMs; t += stepMs) starts.push(t);
  const counts = new Map<string, number[]>();
  const sources = new Map<string, string>();
  const missing: MissingSeries[] = [];
  for (const q of exporter.queries) {
    const expr = withSelector(q.expr, spec.selector);
    const data = (await promGet(
      spec.url,
      '/api/v1/query_range',
      {
        query: expr,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepMs / 1000),
      },
      spec.name,
      signal,
      fetchImpl,
    )) as { resultType?: string; result?: RangeResult[] };
    const results = data?.result ?? [];
    // An exporter publishes a labelled series (code="5xx", response_flags="UC") only once that
    // value was seen, so a query with its own label matchers and no series reads as zero; a
    // metric with no series at all is missing, never zero.
    if (results.length === 0 && !/\{SEL,/.test(q.expr)) {
      missing.push({ kind: q.kind, source: expr, reason: 'no series in the window' });
      continue;
    }
    const values = perPeriod(results, q.type, starts, stepMs, /\{SEL,/.test(q.expr));
    const key = q.raw ? `raw:${q.kind}` : q.kind;
    counts.set(
      key,
      (counts.get(key) ?? new Array(starts.length).fill(0)).map((v, i) => v + values[i]!),
    );
    sources.set(key, expr);
  }
  const derived = exporter.derive?.(counts) ?? [];
  const series: MetricSeries[] = [...counts]
    .filter(([key]) => !key.startsWith('raw:'))
    .map(([kind, values]) => ({
      kind: kind as MetricKind,
      source: sources.get(kind)!,
      points: values.map((value, i) => ({ tMs: starts[i]!, value })),
    }));
  for (const d of derived) {
    series.push({
      kind: d.kind,
      source: d.source,
      points: d.values.map((value, i) => ({ tMs: starts[i]!, value })),
    });
  }
  return {
    name: spec.name,
    platform: exporter.platform,
    resource: `${spec.url}${spec.selector ? ` ${spec.selector}` : ''}`,
    periodMs: stepMs,
    fromMs: startMs,
    untilMs: endMs,
    series,
    missing,
    notes: exporter.notes,
  };
}
