import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import {
  asNumber,
  asString,
  fail,
  jsonTimeMs,
  ok,
  parseIsoMs,
  parseJsonObject,
  pick,
  shareOf,
  splitRequestLine,
  tokenize,
} from '../util.js';

/**
 * Envoy / Istio access logs: the default text format (and Istio's longer text format, which adds
 * `%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"`
 * after the flags), and JSON with the usual key names. The race is 503 with flag `UC` and details
 * `upstream_reset_before_response_started{connection_termination}`.
 */

export function classifyEnvoy(
  status: number | null,
  flagsText: string,
  details: string,
  failureReason: string,
): { generator: Generator; cause: CauseCode | null; rawCause: string | undefined } {
  const flags = flagsText === '-' || flagsText === '' ? [] : flagsText.split(',');
  const rawCause =
    flags.length > 0 ? flagsText + (details && details !== '-' ? ` ${details}` : '') : undefined;
  if (status === null || status < 500) {
    if (flags.includes('DC') || flags.includes('DR'))
      return { generator: 'lb', cause: 'client-aborted', rawCause };
    return { generator: 'target', cause: null, rawCause };
  }
  const has = (f: string) => flags.includes(f);
  const tls = /TLS_error|SSL|CERTIFICATE/i.test(failureReason) || /tls|ssl/i.test(details);
  if (has('UC')) {
    return { generator: 'lb', cause: tls ? 'tls' : 'upstream-closed-reused-connection', rawCause };
  }
  if (has('UF')) {
    const timeout = /timeout|timed out/i.test(failureReason) || /timeout/.test(details);
    return {
      generator: 'lb',
      cause: tls ? 'tls' : timeout ? 'connect-timeout' : 'connect-refused',
      rawCause,
    };
  }
  if (has('UH') || has('UO') || has('NC') || has('LH'))
    return { generator: 'lb', cause: 'no-healthy-upstream', rawCause };
  if (has('UT')) return { generator: 'lb', cause: 'response-timeout', rawCause };
  if (has('UPE')) return { generator: 'lb', cause: 'malformed-response', rawCause };
  if (has('DC') || has('DR')) return { generator: 'lb', cause: 'client-aborted', rawCause };
  if (flags.length > 0) return { generator: 'lb', cause: 'unknown', rawCause };
  if (details === '' || details === '-' || details === 'via_upstream')
    return { generator: 'target', cause: null, rawCause };
  return { generator: 'lb', cause: 'unknown', rawCause: details };
}

function isNumeric(s: string | undefined): boolean {
  return s !== undefined && /^-?\d+$/.test(s);
}

export function parseEnvoyTextLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  if (line.charCodeAt(0) !== 91 /* [ */) return fail('an Envoy text line starts with [START_TIME]');
  const f = tokenize(line);
  if (f === null) return fail('unterminated quoted field (truncated line?)');
  if (f.length < 8) return fail(`${f.length} fields, the Envoy default format has 13`);
  const timeStart = parseIsoMs(f[0]!);
  if (Number.isNaN(timeStart)) return fail('START_TIME is not ISO 8601');
  const status = isNumeric(f[2]) ? Number(f[2]) : null;
  if (status === null) return fail('RESPONSE_CODE is not a number');
  const flags = f[3] ?? '-';
  const istio = !isNumeric(f[4]);
  const details = istio ? (f[4] ?? '') : '';
  const failure = istio ? (f[6] ?? '') : '';
  const base = istio ? 7 : 4;
  const duration = asNumber(f[base + 2]);
  const upstreamService = asNumber(f[base + 3]);
  const upstreamHost = f[base + 8];
  const request = splitRequestLine(f[1]);
  const { generator, cause, rawCause } = classifyEnvoy(status === 0 ? null : status, flags, details, failure);
  return ok({
    timeMs: timeStart + (duration ?? 0),
    status: status === 0 ? null : status,
    targetStatus: generator === 'target' ? status : null,
    generator,
    cause,
    rawCause,
    target: upstreamHost && upstreamHost !== '-' ? upstreamHost.replace(/^tcp:\/\//, '') : undefined,
    method: request.method,
    path: request.path,
    requestMs: duration,
    targetProcessingMs: upstreamService,
    protocol: request.proto,
  });
}

export function parseEnvoyJsonLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const statusValue = asNumber(pick(o, 'response_code', 'responseCode', 'status'));
  if (statusValue === null) return fail('no response_code');
  const timeStart = jsonTimeMs(pick(o, 'start_time', 'startTime', 'timestamp'));
  if (Number.isNaN(timeStart)) return fail('no start_time');
  const duration = asNumber(pick(o, 'duration', 'duration_ms'));
  const flags = asString(pick(o, 'response_flags', 'responseFlags')) ?? '-';
  const details = asString(pick(o, 'response_code_details', 'responseCodeDetails')) ?? '';
  const failure = asString(pick(o, 'upstream_transport_failure_reason')) ?? '';
  const status = statusValue === 0 ? null : statusValue;
  const { generator, cause, rawCause } = classifyEnvoy(status, flags, details, failure);
  const host = asString(pick(o, 'upstream_host', 'upstreamHost'));
  const protocol = asString(pick(o, 'protocol'));
  return ok({
    timeMs: timeStart + (duration ?? 0),
    status,
    targetStatus: generator === 'target' ? status : null,
    generator,
    cause,
    rawCause,
    target: host && host !== '-' ? host.replace(/^tcp:\/\//, '') : undefined,
    method: asString(pick(o, 'method', 'request_method')),
    path: asString(pick(o, 'path', 'x_forwarded_path')),
    requestMs: duration,
    targetProcessingMs: asNumber(pick(o, 'upstream_service_time')),
    retries: (() => {
      const attempts = asNumber(pick(o, 'upstream_request_attempt_count'));
      return attempts !== null && attempts > 1 ? attempts - 1 : undefined;
    })(),
    protocol: protocol && protocol !== '-' ? protocol : undefined,
  });
}

const ENVOY_TEXT = /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] "[^"]*" \d+ [-A-Z,]+ /;

export const envoyTextFormat: LogFormat = {
  id: 'envoy',
  summary: 'Envoy / Istio default text access log (response flags, UC)',
  detect: (sample) => shareOf(sample, (l) => ENVOY_TEXT.test(l)),
  parseLine: parseEnvoyTextLine,
};

export const envoyJsonFormat: LogFormat = {
  id: 'envoy-json',
  summary: 'Envoy / Istio JSON access log (response_code, response_flags, response_code_details)',
  detect: (sample) =>
    shareOf(
      sample,
      (l) => l.includes('"response_code"') && (l.includes('"response_flags"') || l.includes('"start_time"')),
    ),
  parseLine: parseEnvoyJsonLine,
};
