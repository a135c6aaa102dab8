import { goErrorEvent } from '../go-errors.js';
import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import {
  asNumber,
  asString,
  fail,
  jsonTimeMs,
  ok,
  parseClfTimeMs,
  parseIsoMs,
  parseJsonObject,
  pick,
  shareOf,
  shareWithFloor,
  splitRequestLine,
} from '../util.js';

/**
 * Traefik access log, JSON and the `common` (CLF) format. There is no cause field: a Traefik-generated
 * error is recorded with `OriginStatus` equal to the status and an `OriginContentSize` that is just the
 * status text (`Bad Gateway` = 11 bytes); `OriginStatus` 0 means no service was reached. The `common`
 * format prints `OriginStatus` and `OriginContentSize` (not the downstream status) followed by the
 * request count, router, service URL and `<duration>ms`: traefik/traefik
 * `pkg/middlewares/accesslog/logger_formatters.go` (`CommonLogFormatter`, read at 008a5b0c). The cause
 * itself (`EOF`, `connection reset by peer`) is only in Traefik's DEBUG log (pkg/proxy/httputil
 * `ComputeStatusCode`: `io.EOF` and other network errors -> 502, timeouts -> 504).
 */

const STATUS_TEXT_LENGTH: Record<number, number> = {
  500: 'Internal Server Error'.length,
  502: 'Bad Gateway'.length,
  503: 'Service Unavailable'.length,
  504: 'Gateway Timeout'.length,
};

function classifyTraefik(
  status: number | null,
  originStatus: number | null,
  originSize: number | null,
): { generator: Generator; cause: CauseCode | null } {
  if (status === null || status < 500) return { generator: 'target', cause: null };
  const proxyGenerated =
    originStatus === null ||
    originStatus === 0 ||
    (originStatus === status && originSize === STATUS_TEXT_LENGTH[status]);
  if (!proxyGenerated) return { generator: 'target', cause: null };
  return {
    generator: 'lb',
    cause: status === 504 ? 'response-timeout' : status === 503 ? 'no-healthy-upstream' : 'unknown',
  };
}

const CLF =
  /^\s*(\S+) - (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d+|-) (\d+|-) (?:"(?:[^"\\]|\\.)*"|-) (?:"(?:[^"\\]|\\.)*"|-) (\d+|-) (?:"([^"]*)"|-) (?:"([^"]*)"|-) (\d+)ms\s*$/;

/** Traefik's `common` format: the status printed is `OriginStatus` (0 or `-`: no service reached). */
export function parseTraefikClfLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const m = CLF.exec(line);
  if (m === null) return fail('not a Traefik common-format line (CLF + count "router" "service" Nms)');
  const start = parseClfTimeMs(m[3]!);
  if (Number.isNaN(start)) return fail('time is not dd/Mon/yyyy:HH:MM:SS -0700');
  const originStatus = m[5] === '-' ? null : Number(m[5]);
  const originSize = m[6] === '-' ? null : Number(m[6]);
  const durationMs = Number(m[10]);
  const request = splitRequestLine(m[4]);
  const reached = originStatus !== null && originStatus !== 0;
  // Without a service, the client's status is not in this format: unknown, never guessed.
  const { generator, cause } = reached
    ? classifyTraefik(originStatus, originStatus, originSize)
    : { generator: 'lb' as const, cause: null };
  const service = m[9];
  return ok({
    timeMs: start + durationMs,
    status: reached ? originStatus : null,
    targetStatus: reached && generator === 'target' ? originStatus : null,
    generator,
    cause,
    rawCause:
      generator === 'lb' && reached ? `OriginStatus ${originStatus} size ${originSize ?? '-'}` : undefined,
    target: service && service !== '-' ? service.replace(/^\w+:\/\//, '').replace(/\/.*$/, '') : undefined,
    method: request.method,
    path: request.path,
    protocol: request.proto,
    requestLine: m[4] !== '-' ? m[4] : undefined,
    client: m[1] !== '-' ? m[1] : undefined,
    requestMs: durationMs,
  });
}

export function parseTraefikLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  if (!line.trimStart().startsWith('{')) return parseTraefikClfLine(line);
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
  const { generator, cause } = classifyTraefik(status, originStatus, originSize);
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
    // Traefik's retry middleware retries only on network errors before the response: a retried
    // request answered normally is a hidden upstream failure (pkg/middlewares/retry).
    retriedUpstreamError: retries > 0 && generator === 'target' ? true : undefined,
    protocol: asString(pick(o, 'RequestProtocol')),
    client: asString(pick(o, 'ClientAddr', 'ClientHost')),
    requestLine: asString(pick(o, 'RequestLine')),
    requestId: asString(pick(o, 'request_X-Request-Id', 'request_X-Request-ID')),
  });
}

export const traefikFormat: LogFormat = {
  id: 'traefik',
  summary: 'Traefik access log, JSON (DownstreamStatus, OriginStatus) or common format',
  detect: (sample) =>
    Math.max(
      shareOf(sample, (l) => l.includes('"DownstreamStatus"')),
      shareOf(sample, (l) => CLF.test(l)),
    ),
  parseLine: parseTraefikLine,
};

/**
 * Traefik's own log at DEBUG level: one line per request its proxy answered with an error,
 * `logger.Debug().Err(err).Msgf("%d %s", statusCode, statusText)` in pkg/proxy/httputil/proxy.go
 * (`ErrorHandlerWithContext`; ERROR level for TLS configuration errors). JSON
 * (`{"level":"debug","error":"EOF","time":"...","message":"502 Bad Gateway"}`) or the console format
 * (`2026-11-24T08:00:01Z DBG .../proxy.go:113 > 502 Bad Gateway error=EOF`). The Go error gives the
 * cause and phase (go-errors.ts): `EOF` is the race's signature. Other lines are skipped.
 */
const DEBUG_TEXT = /^(\S+) (?:DBG|ERR) .*?> (\d{3}) [^=]*?error="?(.*?)"?\s*$/;

export function parseTraefikDebugLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  let timeMs: number;
  let status: number;
  let error: string;
  if (line.trimStart().startsWith('{')) {
    const o = parseJsonObject(line);
    if (o === null) return fail('not a JSON object (truncated?)');
    const m = /^(\d{3}) [A-Z]/.exec(asString(o.message) ?? asString(o.msg) ?? '');
    const err = asString(o.error);
    if (m === null || err === undefined) return null;
    timeMs = jsonTimeMs(o.time ?? o.ts);
    status = Number(m[1]);
    error = err;
  } else {
    const m = DEBUG_TEXT.exec(line);
    if (m === null) return null;
    timeMs = parseIsoMs(m[1]!);
    status = Number(m[2]);
    error = m[3]!;
  }
  if (Number.isNaN(timeMs)) return fail('no time');
  return ok(goErrorEvent(timeMs, error, status));
}

export const traefikDebugFormat: LogFormat = {
  id: 'traefik-debug',
  summary: "Traefik's own log at DEBUG (502 Bad Gateway error=EOF)",
  detect: (sample) => shareWithFloor(sample, (l) => parseTraefikDebugLine(l)?.ok === true),
  parseLine: parseTraefikDebugLine,
};
