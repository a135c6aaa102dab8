/**
 * Runs a whole probe: N idle-close samples one after another (one connection at a time), then the
 * optional requests-per-connection count and reuse checks. Ctrl-C (the signal) ends it with the
 * samples gathered so far.
 */
import { KeepaliveParityError } from '@keepalive-parity/core';
import {
  type IdleCloseSample,
  measureIdleClose,
  measureRequestsPerConnection,
  measureReuse,
  ProbeError,
  type ProbeTarget,
  type RequestsPerConnectionResult,
  type ReuseResult,
  type ReuseSweepResult,
  type ReuseSweepStep,
  sweepReuse,
} from './engine.js';
import { buildReport, type ProbeReport, type ProbeThrough } from './summary.js';

export const DEFAULT_SAMPLES = 3;
export const MAX_SAMPLES = 1000;
export const DEFAULT_MAX_WAIT_MS = 10 * 60_000;
export const DEFAULT_MAX_REQUESTS_LIMIT = 1000;
export const MAX_SWEEP_STEPS = 40;

export interface ProbeRunOptions {
  readonly url: string;
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Record<string, string>;
  readonly insecure?: boolean;
  readonly samples?: number;
  readonly maxWaitMs?: number;
  readonly through?: ProbeThrough;
  /** Count requests per connection, up to this many (undefined: do not count). */
  readonly maxRequestsLimit?: number;
  readonly reuseAfterMs?: number;
  readonly reuseSweep?: { fromMs: number; toMs: number; maxSteps: number };
  readonly signal?: AbortSignal;
  readonly onSample?: (sample: IdleCloseSample, index: number) => void;
  readonly onSweepStep?: (step: ReuseSweepStep) => void;
}

/** Turns `http(s)://host:port/path?query` into a connection target; refuses credentials in the URL. */
export function targetFromUrl(text: string, field = 'URL'): { target: ProbeTarget; displayUrl: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeepaliveParityError('KAP_USAGE', `${field}: not a URL: ${JSON.stringify(text)}`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `${field}: only http:// and https:// URLs can be probed, not ${url.protocol}`,
      { field },
    );
  }
  if (url.username || url.password) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `${field}: credentials in the URL are not accepted; pass them with --header "Authorization: ..." (never echoed)`,
      { field },
    );
  }
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  url.hash = '';
  return {
    target: { host, port, path: `${url.pathname}${url.search}`, ...(tls ? { tls: {} } : {}) },
    displayUrl: url.toString(),
  };
}

function isAbort(error: unknown): boolean {
  return error instanceof ProbeError && error.code === 'aborted';
}

export async function runProbe(options: ProbeRunOptions): Promise<ProbeReport> {
  const { target: baseTarget, displayUrl } = targetFromUrl(options.url);
  const method = options.method ?? 'GET';
  const target: ProbeTarget = {
    ...baseTarget,
    method,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(baseTarget.tls ? { tls: { insecure: options.insecure === true } } : {}),
  };
  const sampleCount = Math.min(MAX_SAMPLES, Math.max(1, Math.floor(options.samples ?? DEFAULT_SAMPLES)));
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const startedAt = new Date().toISOString();
  const samples: IdleCloseSample[] = [];
  let interrupted = false;
  let error: { code: string; message: string } | undefined;
  let maxRequestsPerConnection: RequestsPerConnectionResult | undefined;
  let reuse: ReuseResult | undefined;
  let reuseSweep: ReuseSweepResult | undefined;
  const signal = options.signal;
  try {
    for (let index = 0; index < sampleCount; index++) {
      if (signal?.aborted) throw new ProbeError('aborted', 'probe aborted');
      // After a first close, keep the loop awake only from 500 ms before the earliest close seen.
      const closes = samples.flatMap((previous) =>
        previous.idleCloseMs === null ? [] : [previous.idleCloseMs],
      );
      const keepWarmFromMs = closes.length > 0 ? Math.max(0, Math.min(...closes) - 500) : undefined;
      const sample = await measureIdleClose({
        ...target,
        maxWaitMs,
        ...(keepWarmFromMs !== undefined ? { keepWarmFromMs } : {}),
        ...(signal ? { signal } : {}),
      });
      samples.push(sample);
      options.onSample?.(sample, index);
    }
    if (options.maxRequestsLimit !== undefined) {
      maxRequestsPerConnection = await measureRequestsPerConnection({
        ...target,
        limit: options.maxRequestsLimit,
        ...(signal ? { signal } : {}),
      });
    }
    if (options.reuseAfterMs !== undefined) {
      reuse = await measureReuse({ ...target, gapMs: options.reuseAfterMs, ...(signal ? { signal } : {}) });
    }
    if (options.reuseSweep) {
      reuseSweep = await sweepReuse(
        {
          ...target,
          fromMs: options.reuseSweep.fromMs,
          toMs: options.reuseSweep.toMs,
          maxSteps: Math.min(MAX_SWEEP_STEPS, options.reuseSweep.maxSteps),
          ...(signal ? { signal } : {}),
        },
        options.onSweepStep,
      );
    }
  } catch (caught) {
    if (isAbort(caught)) interrupted = true;
    else if (caught instanceof ProbeError) error = { code: caught.code, message: caught.message };
    else throw caught;
  }
  return buildReport({
    url: displayUrl,
    method,
    through: options.through ?? 'direct',
    samples,
    interrupted,
    startedAt,
    finishedAt: new Date().toISOString(),
    error,
    maxRequestsPerConnection,
    reuse,
    reuseSweep,
  });
}
