import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import { asNumber, asString, fail, jsonTimeMs, ok, parseJsonObject, pick, shareOf } from '../util.js';

/**
 * Traefik JSON access log. There is no cause field: a Traefik-generated error is recorded with
 * `OriginStatus` equal to the status and an `OriginContentSize` that is just the status text
 * (`Bad Gateway` = 11 bytes); `OriginStatus` 0 means no service was reached.
 */

const STATUS_TEXT_LENGTH: Record<number, number> = {
  500: 'Internal Server Error'.length,
  502: 'Bad Gateway'.length,
  503: 'Service Unavailable'.length,
  504: 'Gateway Timeout'.length,
};

export function parseTraefikLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const status = asNumber(pick(o, 'DownstreamStatus'));
  if (status === null) return fail('no DownstreamStatus');
  const timeMs = jsonTimeMs(pick(o, 'StartUTC', 'StartLocal', 'time'));
  if (Number.isNaN(timeMs)) return fail('no StartUTC');
  const originStatus = asNumber(pick(o, 'OriginStatus'));
  const originSize = asNumber(pick(o, 'OriginContentSize'));
  const durationNs = asNumber(pick(o, 'Duration'));
  const originNs = asNumber(pick(o, 'OriginDuration'));
  const retries = asNumber(pick(o, 'RetryAttempts')) ?? 0;
  let generator: Generator = 'target';
  let cause: CauseCode | null = null;
  if (status >= 500) {
    const proxyGenerated =
      originStatus === null ||
      originStatus === 0 ||
      (originStatus === status && originSize === STATUS_TEXT_LENGTH[status]);
    if (proxyGenerated) {
      generator = 'lb';
      cause = status === 504 ? 'response-timeout' : status === 503 ? 'no-healthy-upstream' : 'unknown';
    }
  }
  const addr = asString(pick(o, 'ServiceAddr'));
  return ok({
    timeMs: timeMs + (durationNs !== null ? durationNs / 1e6 : 0),
    status,
    targetStatus: originStatus === 0 ? null : originStatus,
    generator,
    cause,
    rawCause:
      status >= 500 && generator === 'lb'
        ? `OriginStatus ${originStatus ?? '-'} size ${originSize ?? '-'}`
        : undefined,
    target: addr && addr !== '' ? addr : undefined,
    method: asString(pick(o, 'RequestMethod')),
    path: asString(pick(o, 'RequestPath')),
    requestMs: durationNs !== null ? Math.round(durationNs / 1e6) : null,
    targetProcessingMs: originNs !== null ? Math.round(originNs / 1e6) : null,
    retries: retries > 0 ? retries : undefined,
    protocol: asString(pick(o, 'RequestProtocol')),
  });
}

export const traefikFormat: LogFormat = {
  id: 'traefik',
  summary: 'Traefik JSON access log (DownstreamStatus, OriginStatus)',
  detect: (sample) => shareOf(sample, (l) => l.includes('"DownstreamStatus"')),
  parseLine: parseTraefikLine,
};
