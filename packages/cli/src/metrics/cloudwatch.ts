import type { GetMetricDataCommandOutput, ListMetricsCommandOutput } from '@aws-sdk/client-cloudwatch';
import {
  isKeepaliveParityError,
  KeepaliveParityError,
  type MetricKind,
  type MetricSeries,
  type MetricsInput,
  type MissingSeries,
} from '@keepalive-parity/core';
import { awsError } from '../aws/errors.js';
import type { CliContext } from '../context.js';
import type { MetricsWindow } from './inputs.js';

/**
 * CloudWatch metrics for ALB (AWS/ApplicationELB) and Classic ELB (AWS/ELB), read-only through the
 * AWS SDK v3: ListMetrics (to find the load balancer's dimension and its target groups) and
 * GetMetricData (paginated by NextToken). Throttling is retried by the SDK's standard retry mode.
 */

/** Every CloudWatch call this code can make; all read-only. A test holds the code to this list. */
export const CLOUDWATCH_ACTIONS = ['ListMetrics', 'GetMetricData'] as const;

const MAX_PAGES = 100;
/** CloudWatch keeps 1-minute data for 15 days, 5-minute data for 63 days. */
const ONE_MINUTE_RETENTION_MS = 15 * 24 * 3600_000;
/** GetMetricData takes up to 500 queries per call. */
const QUERIES_PER_CALL = 500;

interface MetricSpec {
  readonly metric: string;
  readonly stat: 'Sum' | 'Minimum' | 'Maximum' | 'Average';
  readonly kind: MetricKind | null;
  /** Read per target group (with the LoadBalancer dimension too) rather than per load balancer. */
  readonly perTargetGroup?: boolean;
}

const ALB_METRICS: readonly MetricSpec[] = [
  { metric: 'RequestCount', stat: 'Sum', kind: 'requests' },
  { metric: 'HTTPCode_ELB_502_Count', stat: 'Sum', kind: 'raceErrors' },
  { metric: 'HTTPCode_ELB_5XX_Count', stat: 'Sum', kind: 'lb5xx' },
  { metric: 'HTTPCode_ELB_503_Count', stat: 'Sum', kind: 'lb503' },
  { metric: 'HTTPCode_ELB_504_Count', stat: 'Sum', kind: 'lb504' },
  { metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', kind: 'target5xx' },
  { metric: 'TargetConnectionErrorCount', stat: 'Sum', kind: 'connectionErrors' },
  { metric: 'TargetResponseTime', stat: 'Average', kind: null },
  { metric: 'HealthyHostCount', stat: 'Minimum', kind: 'healthyHosts', perTargetGroup: true },
  { metric: 'UnHealthyHostCount', stat: 'Maximum', kind: 'unhealthyHosts', perTargetGroup: true },
  { metric: 'RequestCount', stat: 'Sum', kind: null, perTargetGroup: true },
  { metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum', kind: null, perTargetGroup: true },
];

const ELB_METRICS: readonly MetricSpec[] = [
  { metric: 'RequestCount', stat: 'Sum', kind: 'requests' },
  { metric: 'HTTPCode_ELB_5XX', stat: 'Sum', kind: 'lb5xx' },
  { metric: 'HTTPCode_Backend_5XX', stat: 'Sum', kind: 'target5xx' },
  { metric: 'BackendConnectionErrors', stat: 'Sum', kind: 'connectionErrors' },
  { metric: 'SpilloverCount', stat: 'Sum', kind: 'spillover' },
  { metric: 'SurgeQueueLength', stat: 'Maximum', kind: null },
  { metric: 'HealthyHostCount', stat: 'Minimum', kind: 'healthyHosts' },
  { metric: 'UnHealthyHostCount', stat: 'Maximum', kind: 'unhealthyHosts' },
];

/** The endpoint override: `--endpoint-url`, else the SDK's standard variables. */
export function cloudWatchEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  return env.KAP_AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_CLOUDWATCH || env.AWS_ENDPOINT_URL || undefined;
}

/** 60 s periods while CloudWatch still has 1-minute data for the whole window, else 300 s. */
export function cloudWatchPeriodMs(window: MetricsWindow, nowMs: number): number {
  return nowMs - window.sinceMs <= ONE_MINUTE_RETENTION_MS ? 60_000 : 300_000;
}

type Dimension = { Name: string; Value: string };

export async function readCloudWatch(
  spec: { name: string; service: 'alb' | 'elb'; locator: string },
  window: MetricsWindow,
  context: CliContext,
  nowMs = Date.now(),
): Promise<MetricsInput> {
  const sdk = await import('@aws-sdk/client-cloudwatch');
  const endpoint = cloudWatchEndpoint(context.env);
  const region = context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || undefined;
  const client = new sdk.CloudWatchClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    maxAttempts: 6,
  });
  const field = spec.name;
  const abortSignal = context.signal;
  const namespace = spec.service === 'alb' ? 'AWS/ApplicationELB' : 'AWS/ELB';
  const fail = (error: unknown, action: string) =>
    isKeepaliveParityError(error) ? error : awsError(error, `cloudwatch:${action}`, spec.name, field);
  try {
    try {
      await client.config.region();
    } catch (error) {
      throw fail(error, 'GetMetricData');
    }
    const listMetrics = async (metricName: string, dimensions: Array<{ Name: string; Value?: string }>) => {
      const found: Dimension[][] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        let out: ListMetricsCommandOutput;
        try {
          out = await client.send(
            new sdk.ListMetricsCommand({
              Namespace: namespace,
              MetricName: metricName,
              Dimensions: dimensions,
              NextToken: token,
            }),
            { abortSignal },
          );
        } catch (error) {
          throw fail(error, 'ListMetrics');
        }
        for (const m of out.Metrics ?? []) {
          found.push((m.Dimensions ?? []).map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' })));
        }
        token = out.NextToken || undefined;
        if (!token) break;
      }
      return found;
    };

    // The load balancer's dimension value.
    let lbDimension: Dimension;
    const notes: string[] = [];
    if (spec.service === 'alb') {
      const fromArn = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(spec.locator)?.[1];
      if (fromArn) lbDimension = { Name: 'LoadBalancer', Value: fromArn };
      else {
        const all = await listMetrics('RequestCount', [{ Name: 'LoadBalancer' }]);
        const value = all
          .flatMap((dims) => dims.filter((d) => d.Name === 'LoadBalancer').map((d) => d.Value))
          .find((v) => v.split('/')[1] === spec.locator);
        if (!value) {
          throw new KeepaliveParityError(
            'KAP_SOURCE_UNAVAILABLE',
            `${field}: CloudWatch has no ${namespace} RequestCount for a load balancer named ${JSON.stringify(spec.locator)} (in the last two weeks; wrong region?)`,
            { field },
          );
        }
        lbDimension = { Name: 'LoadBalancer', Value: value };
      }
    } else {
      const name = /:loadbalancer\/([^/]+)$/.exec(spec.locator)?.[1] ?? spec.locator;
      lbDimension = { Name: 'LoadBalancerName', Value: name };
    }
    const targetGroups: Dimension[] = [];
    if (spec.service === 'alb') {
      for (const dims of await listMetrics('HealthyHostCount', [lbDimension, { Name: 'TargetGroup' }])) {
        const tg = dims.find((d) => d.Name === 'TargetGroup');
        if (dims.length === 2 && tg && !targetGroups.some((t) => t.Value === tg.Value)) targetGroups.push(tg);
      }
      if (targetGroups.length === 0)
        notes.push('no target group with HealthyHostCount for this load balancer: host health not read');
    }

    const periodMs = cloudWatchPeriodMs(window, nowMs);
    const startMs = Math.floor(window.sinceMs / periodMs) * periodMs;
    const endMs = Math.ceil(window.untilMs / periodMs) * periodMs;
    if (periodMs > 60_000) {
      notes.push(
        `5-minute periods: CloudWatch keeps 1-minute data for 15 days, and the window starts ${Math.round((nowMs - window.sinceMs) / 86_400_000)} days ago`,
      );
    }
    const queries: Array<{ id: string; spec: MetricSpec; dims: Dimension[]; source: string; tg?: string }> =
      [];
    for (const m of spec.service === 'alb' ? ALB_METRICS : ELB_METRICS) {
      const dimsList = m.perTargetGroup ? targetGroups.map((tg) => [tg, lbDimension]) : [[lbDimension]];
      for (const dims of dimsList) {
        queries.push({
          id: `q${queries.length}`,
          spec: m,
          dims,
          source: `${namespace} ${m.metric} ${m.stat} ${dims.map((d) => `${d.Name}=${d.Value}`).join(' ')}`,
          tg: m.perTargetGroup ? dims[0]!.Value : undefined,
        });
      }
    }
    const values = new Map<string, { timestamps: number[]; values: number[]; status: string }>();
    for (let i = 0; i < queries.length; i += QUERIES_PER_CALL) {
      const batch = queries.slice(i, i + QUERIES_PER_CALL);
      let token: string | undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES) {
          throw new KeepaliveParityError(
            'KAP_SOURCE_UNAVAILABLE',
            `${field}: more than ${MAX_PAGES} pages of GetMetricData; stopped`,
            { field },
          );
        }
        let out: GetMetricDataCommandOutput;
        try {
          out = await client.send(
            new sdk.GetMetricDataCommand({
              StartTime: new Date(startMs),
              EndTime: new Date(endMs),
              ScanBy: 'TimestampAscending',
              NextToken: token,
              MetricDataQueries: batch.map((q) => ({
                Id: q.id,
                ReturnData: true,
                MetricStat: {
                  Metric: { Namespace: namespace, MetricName: q.spec.metric, Dimensions: q.dims },
                  Period: periodMs / 1000,
                  Stat: q.spec.stat,
                },
              })),
            }),
            { abortSignal },
          );
        } catch (error) {
          throw fail(error, 'GetMetricData');
        }
        for (const r of out.MetricDataResults ?? []) {
          const entry = values.get(r.Id ?? '') ?? { timestamps: [], values: [], status: 'Complete' };
          entry.timestamps.push(...(r.Timestamps ?? []).map((t) => t.getTime()));
          entry.values.push(...(r.Values ?? []));
          if (r.StatusCode && r.StatusCode !== 'Complete' && r.StatusCode !== 'PartialData')
            entry.status = r.StatusCode;
          values.set(r.Id ?? '', entry);
        }
        token = out.NextToken || undefined;
        if (!token) break;
      }
    }
    const series: MetricSeries[] = [];
    const missing: MissingSeries[] = [];
    const perTg = new Map<string, { requests: number; target5xx: number; unhealthy: number }>();
    for (const q of queries) {
      const got = values.get(q.id);
      if (got?.status !== 'Complete') {
        if (q.spec.kind) {
          missing.push({
            kind: q.spec.kind,
            source: q.source,
            reason: got ? `CloudWatch answered StatusCode ${got.status}` : 'not in the GetMetricData answer',
          });
        }
        continue;
      }
      const points = got.timestamps.map((tMs, k) => ({ tMs, value: got.values[k] ?? 0 }));
      if (q.tg !== undefined) {
        const t = perTg.get(q.tg) ?? { requests: 0, target5xx: 0, unhealthy: 0 };
        const total = points.reduce((s, p) => s + p.value, 0);
        if (q.spec.metric === 'RequestCount') t.requests += total;
        if (q.spec.metric === 'HTTPCode_Target_5XX_Count') t.target5xx += total;
        if (q.spec.metric === 'UnHealthyHostCount')
          t.unhealthy = Math.max(t.unhealthy, ...points.map((p) => p.value));
        perTg.set(q.tg, t);
      }
      if (q.spec.metric === 'TargetResponseTime' && points.length > 0) {
        const max = Math.max(...points.map((p) => p.value));
        notes.push(`TargetResponseTime: highest ${q.spec.stat.toLowerCase()} per period ${max.toFixed(3)} s`);
      }
      if (q.spec.metric === 'SurgeQueueLength' && points.length > 0) {
        notes.push(`SurgeQueueLength: up to ${Math.max(...points.map((p) => p.value))}`);
      }
      if (q.spec.kind) series.push({ kind: q.spec.kind, source: q.source, points });
    }
    for (const [tg, t] of perTg) {
      notes.push(
        `target group ${tg}: ${Math.round(t.requests)} requests, ${Math.round(t.target5xx)} target 5xx, up to ${t.unhealthy} unhealthy hosts`,
      );
    }
    // Classic ELB: its 5xx of the race's form are the ELB's own 5xx less the 503s of a full surge queue.
    if (spec.service === 'elb') {
      const own = series.find((s) => s.kind === 'lb5xx');
      const spill = series.find((s) => s.kind === 'spillover');
      if (own) {
        const spilled = new Map((spill?.points ?? []).map((p) => [p.tMs, p.value]));
        series.push({
          kind: 'raceErrors',
          source: `${own.source} − SpilloverCount`,
          points: own.points.map((p) => ({
            tMs: p.tMs,
            value: Math.max(0, p.value - (spilled.get(p.tMs) ?? 0)),
          })),
        });
      }
    }
    return {
      name: spec.name,
      platform: spec.service === 'alb' ? 'alb' : 'classic-elb',
      resource: `${namespace} ${lbDimension.Name}=${lbDimension.Value}${targetGroups.length ? ` (target groups: ${targetGroups.map((t) => t.Value).join(', ')})` : ''}`,
      periodMs,
      fromMs: startMs,
      untilMs: endMs,
      series,
      missing,
      notes,
    };
  } finally {
    client.destroy();
  }
}
