import type { LogVerdict } from '../logs/analysis.js';

/**
 * Metrics as data: per-period series read from CloudWatch or Prometheus, normalised into one row
 * per period with the playbook's quantities. Pure; the CLI does the reading.
 */

/** The same vocabulary as `diagnose` (shared type, not shared code). */
export type MetricsVerdict = LogVerdict;

/** What a normalised series measures. Counts are per period; hosts are the period's maximum. */
export type MetricKind =
  /** Requests the LB/proxy received. */
  | 'requests'
  /**
   * The form the keep-alive race takes on this platform: ALB `HTTPCode_ELB_502_Count`, HAProxy
   * `response_errors`, Envoy `upstream_cx_destroy_remote_with_active_rq`, Istio `response_flags="UC"`.
   */
  | 'raceErrors'
  /** Every 5xx the LB/proxy generated itself. */
  | 'lb5xx'
  | 'lb503'
  | 'lb504'
  /** 5xx the targets answered (the LB only passed them on). */
  | 'target5xx'
  /** 5xx of either origin, where the platform cannot separate them (ingress-nginx, Traefik). */
  | 'any5xx'
  /** Connections to targets that failed to open. */
  | 'connectionErrors'
  /** Classic ELB `SpilloverCount`: requests rejected because the surge queue was full (503). */
  | 'spillover'
  | 'healthyHosts'
  | 'unhealthyHosts';

/** The kinds that are counts per period (summed), as opposed to host gauges. */
export const COUNT_KINDS = [
  'requests',
  'raceErrors',
  'lb5xx',
  'lb503',
  'lb504',
  'target5xx',
  'any5xx',
  'connectionErrors',
  'spillover',
] as const satisfies readonly MetricKind[];

export const METRIC_KINDS: readonly MetricKind[] = [...COUNT_KINDS, 'healthyHosts', 'unhealthyHosts'];

export interface MetricPoint {
  /** Start of the period (epoch ms). */
  readonly tMs: number;
  readonly value: number;
}

export interface MetricSeries {
  readonly kind: MetricKind;
  /** Where it came from, exactly: `AWS/ApplicationELB HTTPCode_ELB_502_Count Sum LoadBalancer=app/web/1` or a PromQL query. */
  readonly source: string;
  readonly points: readonly MetricPoint[];
}

/** A series the source was asked for and did not have (never read as zero). */
export interface MissingSeries {
  readonly kind: MetricKind;
  readonly source: string;
  readonly reason: string;
}

/** Platforms whose metrics the CLI reads. */
export type MetricsPlatform =
  | 'alb'
  | 'classic-elb'
  | 'haproxy'
  | 'envoy'
  | 'istio'
  | 'ingress-nginx'
  | 'traefik';

export interface PlatformTraits {
  readonly id: MetricsPlatform;
  readonly displayName: string;
  /** What `raceErrors` counts on this platform, in one sentence; null when it has no such series. */
  readonly raceErrorsMeaning: string | null;
  /** Null when LB- and target-generated errors are separate; else what would separate them. */
  readonly cannotSeparate: string | null;
}

export const PLATFORMS: Readonly<Record<MetricsPlatform, PlatformTraits>> = {
  alb: {
    id: 'alb',
    displayName: 'Application Load Balancer (CloudWatch AWS/ApplicationELB)',
    raceErrorsMeaning: 'HTTPCode_ELB_502_Count: 502s the ALB generated itself',
    cannotSeparate: null,
  },
  'classic-elb': {
    id: 'classic-elb',
    displayName: 'Classic Load Balancer (CloudWatch AWS/ELB)',
    raceErrorsMeaning:
      'HTTPCode_ELB_5XX minus SpilloverCount: 5xx the ELB generated itself, without the 503s of a full surge queue (Classic ELB does not split 502 from 504)',
    cannotSeparate: null,
  },
  haproxy: {
    id: 'haproxy',
    displayName: 'HAProxy (built-in Prometheus exporter)',
    raceErrorsMeaning:
      'response_errors: responses from a server that failed (the race as a 502 on a new client connection, or as a closed client connection with no response on a reused one)',
    cannotSeparate: null,
  },
  envoy: {
    id: 'envoy',
    displayName: 'Envoy (Prometheus stats)',
    raceErrorsMeaning:
      'upstream_cx_destroy_remote_with_active_rq: upstream connections the upstream closed while a request was on them',
    cannotSeparate: null,
  },
  istio: {
    id: 'istio',
    displayName: 'Istio (istio_requests_total)',
    raceErrorsMeaning: 'istio_requests_total{response_flags="UC"}: upstream connection termination',
    cannotSeparate: null,
  },
  'ingress-nginx': {
    id: 'ingress-nginx',
    displayName: 'ingress-nginx (controller metrics)',
    raceErrorsMeaning: null,
    cannotSeparate:
      'nginx_ingress_controller_requests counts the status sent to the client, whoever generated it. The access log with $upstream_status (the default ingress-nginx upstreaminfo format) separates them: run `keepalive-parity diagnose` on it.',
  },
  traefik: {
    id: 'traefik',
    displayName: 'Traefik (Prometheus metrics)',
    raceErrorsMeaning: null,
    cannotSeparate:
      "traefik_service_requests_total counts the status sent to the client, whoever generated it. Traefik's JSON access log (OriginStatus against DownstreamStatus) separates them: run `keepalive-parity diagnose` on it.",
  },
};

/** Everything read from one metrics input. */
export interface MetricsInput {
  /** As given on the command line (`prom:http://...`, `cloudwatch:alb:web`). */
  readonly name: string;
  readonly platform: MetricsPlatform;
  /** What was read (the load balancer's ARN, the target group, the label selector). */
  readonly resource: string;
  readonly periodMs: number;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly series: readonly MetricSeries[];
  readonly missing: readonly MissingSeries[];
  readonly notes: readonly string[];
}

/** One period, every quantity summed over the series of its kind; null = not read. */
export interface MetricsRow {
  readonly tMs: number;
  readonly requests: number | null;
  readonly raceErrors: number | null;
  readonly lb5xx: number | null;
  readonly lb503: number | null;
  readonly lb504: number | null;
  readonly target5xx: number | null;
  readonly any5xx: number | null;
  readonly connectionErrors: number | null;
  readonly spillover: number | null;
  readonly healthyHosts: number | null;
  readonly unhealthyHosts: number | null;
}

export type MetricsTotals = {
  readonly [K in Exclude<MetricKind, 'healthyHosts' | 'unhealthyHosts'>]: number | null;
} & {
  readonly minutes: number;
  /** Periods with at least one unhealthy host, or fewer healthy hosts than the window's maximum. */
  readonly degradedPeriods: number;
  readonly maxUnhealthyHosts: number | null;
};
