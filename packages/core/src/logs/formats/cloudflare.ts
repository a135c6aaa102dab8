import type { CauseCode, FailurePhase, Generator, LogFormat, ParseResult } from '../types.js';
import { asNumber, asString, fail, ok, parseIsoMs, parseJsonObject, shareOf } from '../util.js';

/**
 * Cloudflare Logpush `http_requests` dataset (JSON lines): `EdgeResponseStatus` is what the client got,
 * `OriginResponseStatus` what the origin answered (0 = no origin response: cache, edge rule, or the
 * origin failed). Cloudflare's own 5xx for origin trouble (cloudflare/cloudflare-docs
 * `src/content/docs/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/`): 520 the origin
 * returned an empty, unknown or unexpected response (a crash, a reset, a closed connection: Cloudflare
 * does not say which, so the cause stays `unknown` with phase read-header), 521 refused (connect), 522
 * connect timed out, 523 unreachable, 524 no response in time after connecting, 525/526 TLS. A 502/504
 * with the same `OriginResponseStatus` came from the origin. Field names: Cloudflare's Logpush
 * http_requests field list (IBM CIS mirror https://cloud.ibm.com/docs/cis?topic=cis-log-fields);
 * timestamps are RFC 3339, Unix seconds or Unix nanoseconds depending on the job's `timestamp` option.
 */

const CLOUDFLARE_5XX: Record<number, { cause: CauseCode; phase: FailurePhase | undefined }> = {
  520: { cause: 'unknown', phase: 'read-header' },
  521: { cause: 'connect-refused', phase: 'connect' },
  522: { cause: 'connect-timeout', phase: 'connect' },
  523: { cause: 'connect-refused', phase: 'connect' },
  524: { cause: 'response-timeout', phase: 'read-header' },
  525: { cause: 'tls', phase: 'connect' },
  526: { cause: 'tls', phase: 'connect' },
};

function cloudflareTimeMs(v: unknown): number {
  if (typeof v === 'string') return /^\d+$/.test(v) ? cloudflareTimeMs(Number(v)) : parseIsoMs(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return Number.NaN;
  if (v > 1e17) return Math.round(v / 1e6); // unixnano
  if (v > 1e11) return v; // ms
  return v * 1000; // s
}

export function classifyCloudflare(
  edge: number,
  origin: number | null,
): { generator: Generator; cause: CauseCode | null; phase: FailurePhase | undefined } {
  if (origin !== null && origin !== 0 && origin === edge)
    return { generator: 'target', cause: null, phase: undefined };
  if (edge < 500) return { generator: origin ? 'target' : 'lb', cause: null, phase: undefined };
  const known = CLOUDFLARE_5XX[edge];
  if (known) return { generator: 'lb', ...known };
  if (edge === 504) return { generator: 'lb', cause: 'response-timeout', phase: 'read-header' };
  if (origin !== null && origin >= 500) return { generator: 'target', cause: null, phase: undefined };
  return { generator: 'lb', cause: 'unknown', phase: undefined };
}

export function parseCloudflareLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const edge = asNumber(o.EdgeResponseStatus);
  if (edge === null) return fail('no EdgeResponseStatus');
  const end = cloudflareTimeMs(o.EdgeEndTimestamp);
  const start = cloudflareTimeMs(o.EdgeStartTimestamp);
  const timeMs = Number.isNaN(end) ? start : end;
  if (Number.isNaN(timeMs)) return fail('no EdgeStartTimestamp / EdgeEndTimestamp');
  const origin = asNumber(o.OriginResponseStatus);
  const c = classifyCloudflare(edge, origin);
  const originIp = asString(o.OriginIP);
  const method = asString(o.ClientRequestMethod);
  const path = asString(o.ClientRequestURI) ?? asString(o.ClientRequestPath);
  const protocol = asString(o.ClientRequestProtocol);
  const originMs =
    asNumber(o.OriginResponseDurationMs) ??
    (asNumber(o.OriginResponseTime) !== null ? Math.round(asNumber(o.OriginResponseTime)! / 1e6) : null);
  return ok({
    timeMs,
    status: edge === 0 ? null : edge,
    targetStatus: c.generator === 'target' ? origin : null,
    generator: c.generator,
    cause: c.cause,
    rawCause:
      c.generator === 'lb' && edge >= 500
        ? `EdgeResponseStatus ${edge} OriginResponseStatus ${origin ?? '-'}`
        : undefined,
    phase: c.phase,
    target: originIp ? originIp : undefined,
    method,
    path,
    protocol,
    requestMs: !Number.isNaN(start) && !Number.isNaN(end) ? end - start : null,
    targetProcessingMs: originMs,
    client: asString(o.ClientIP),
    requestLine: method && path ? `${method} ${path}${protocol ? ` ${protocol}` : ''}` : undefined,
    requestId: asString(o.RayID),
  });
}

export const cloudflareFormat: LogFormat = {
  id: 'cloudflare',
  summary: 'Cloudflare Logpush http_requests (EdgeResponseStatus, OriginResponseStatus; 520-526)',
  detect: (sample) => shareOf(sample, (l) => l.includes('"EdgeResponseStatus"')),
  parseLine: parseCloudflareLine,
};
