/**
 * The probe's result as data: samples, their summary and what they mean. Human text is rendered
 * from this (render.ts); `--json` prints it as is.
 */
import type {
  IdleCloseSample,
  RequestsPerConnectionResult,
  ReuseResult,
  ReuseSweepResult,
} from './engine.js';

export type ProbeThrough = 'direct' | 'lb';

/** `http/1.1`, `http/1.0`, `h2-only` (out of scope), or null when no response was read. */
export type ProbeProtocol = 'http/1.1' | 'http/1.0' | 'h2-only' | null;

export interface ProbeSummary {
  /** Samples whose idle close was measured (FIN or RST after a complete keep-alive response). */
  count: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

export type AdvertisedAgreement =
  /** The measured close is within ±100 ms of the advertised `timeout=`. */
  | 'agrees'
  /** The server closes earlier than it advertises: clients that trust the hint can race. */
  | 'closes-earlier'
  /** The server closes later than it advertises: harmless for clients that honour the hint. */
  | 'closes-later'
  | 'not-advertised'
  | 'not-measured';

export interface ProbeReport {
  url: string;
  method: 'GET' | 'HEAD';
  through: ProbeThrough;
  /** Which timeout the measurement describes, in words. */
  measuredSide: string;
  protocol: ProbeProtocol;
  samples: IdleCloseSample[];
  summary: ProbeSummary | null;
  advertised: {
    timeoutSeconds: number | null;
    maxRequests: number | null;
    keepAliveHeader: string | null;
    connectionHeader: string | null;
  };
  advertisedAgreement: AdvertisedAgreement;
  /** Measured median minus the advertised timeout, in ms. */
  advertisedDifferenceMs: number | null;
  /** False: the server closes after every response (no keep-alive, it cannot race). Null: unknown. */
  keepAlive: boolean | null;
  maxRequestsPerConnection?: RequestsPerConnectionResult | undefined;
  reuse?: ReuseResult | undefined;
  reuseSweep?: ReuseSweepResult | undefined;
  /** True when Ctrl-C ended the probe early: the results are the samples gathered so far. */
  interrupted: boolean;
  /** Why the probe is out of scope or failed to measure (HTTP/2 only, connect failure). */
  error?: { code: string; message: string } | undefined;
  startedAt: string;
  finishedAt: string;
}

export const AGREEMENT_TOLERANCE_MS = 100;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarizeSamples(samples: readonly IdleCloseSample[]): ProbeSummary | null {
  const values = samples
    .filter(
      (sample) => (sample.closeKind === 'fin' || sample.closeKind === 'rst') && sample.idleCloseMs !== null,
    )
    .map((sample) => sample.idleCloseMs as number);
  if (values.length === 0) return null;
  return {
    count: values.length,
    minMs: Math.min(...values),
    medianMs: median(values),
    maxMs: Math.max(...values),
  };
}

export function describeMeasuredSide(through: ProbeThrough): string {
  return through === 'lb'
    ? "the load balancer's client-side idle timeout (how long it keeps an idle connection from a client), not the backend's keep-alive"
    : "the server's idle keep-alive timeout (the server side of the hop)";
}

/** Keep-alive is off when every sample that got a response was told (or shown) the connection closes. */
export function keepAliveOf(samples: readonly IdleCloseSample[]): boolean | null {
  const answered = samples.filter((sample) => sample.closeKind !== 'closed-before-response');
  if (answered.length === 0) return null;
  if (answered.every((sample) => sample.closeKind === 'no-keepalive')) return false;
  return true;
}

export function protocolOf(samples: readonly IdleCloseSample[]): ProbeProtocol {
  const version = samples.find((sample) => sample.httpVersion !== null)?.httpVersion;
  if (version === '1.1') return 'http/1.1';
  if (version === '1.0') return 'http/1.0';
  return null;
}

export function buildReport(input: {
  url: string;
  method: 'GET' | 'HEAD';
  through: ProbeThrough;
  samples: IdleCloseSample[];
  interrupted: boolean;
  startedAt: string;
  finishedAt: string;
  error?: { code: string; message: string } | undefined;
  maxRequestsPerConnection?: RequestsPerConnectionResult | undefined;
  reuse?: ReuseResult | undefined;
  reuseSweep?: ReuseSweepResult | undefined;
}): ProbeReport {
  const summary = summarizeSamples(input.samples);
  const withHeaders = input.samples.find((sample) => sample.status !== null);
  const advertised = {
    timeoutSeconds: withHeaders?.advertisedTimeoutSeconds ?? null,
    maxRequests: withHeaders?.advertisedMaxRequests ?? null,
    keepAliveHeader: withHeaders?.keepAliveHeader ?? null,
    connectionHeader: withHeaders?.connectionHeader ?? null,
  };
  let advertisedAgreement: AdvertisedAgreement = 'not-measured';
  let advertisedDifferenceMs: number | null = null;
  if (summary) {
    if (advertised.timeoutSeconds === null) advertisedAgreement = 'not-advertised';
    else {
      advertisedDifferenceMs = summary.medianMs - advertised.timeoutSeconds * 1000;
      advertisedAgreement =
        Math.abs(advertisedDifferenceMs) <= AGREEMENT_TOLERANCE_MS
          ? 'agrees'
          : advertisedDifferenceMs < 0
            ? 'closes-earlier'
            : 'closes-later';
    }
  }
  const protocol: ProbeProtocol = input.error?.code === 'http2-only' ? 'h2-only' : protocolOf(input.samples);
  return {
    url: input.url,
    method: input.method,
    through: input.through,
    measuredSide: describeMeasuredSide(input.through),
    protocol,
    samples: input.samples,
    summary,
    advertised,
    advertisedAgreement,
    advertisedDifferenceMs,
    keepAlive: keepAliveOf(input.samples),
    ...(input.maxRequestsPerConnection ? { maxRequestsPerConnection: input.maxRequestsPerConnection } : {}),
    ...(input.reuse ? { reuse: input.reuse } : {}),
    ...(input.reuseSweep ? { reuseSweep: input.reuseSweep } : {}),
    interrupted: input.interrupted,
    ...(input.error ? { error: input.error } : {}),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
  };
}
