import { goErrorPhase } from '../go-errors.js';
import type { LogFormat, ParseResult } from '../types.js';
import { asNumber, asString, fail, jsonTimeMs, ok, parseJsonObject, pick, shareOf } from '../util.js';

/**
 * Caddy JSON logs. Access entries (`http.log.access`, msg `handled request`) become requests;
 * error entries (`http.log.error`, msg = the Go error string) become upstream-error events with a
 * cause read from the Go error text. A proxy error's access entry has size 0.
 */

export function parseCaddyLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const logger = asString(o.logger) ?? '';
  const timeMs = jsonTimeMs(o.ts);
  if (Number.isNaN(timeMs)) return fail('no ts');
  const status = asNumber(o.status);
  const durationS = asNumber(o.duration);
  const method = asString(pick(o, 'request.method'));
  const path = asString(pick(o, 'request.uri'));
  const protocol = asString(pick(o, 'request.proto'));
  // Join keys: access and error entries of one request carry the same request object.
  const remoteIp = asString(pick(o, 'request.remote_ip'));
  const remotePort = asString(pick(o, 'request.remote_port'));
  const client = remoteIp === undefined ? undefined : remotePort ? `${remoteIp}:${remotePort}` : remoteIp;
  const requestLine =
    method !== undefined && path !== undefined ? `${method} ${path} ${protocol ?? ''}`.trim() : undefined;
  if (logger.startsWith('http.log.error')) {
    const message = asString(o.msg) ?? '';
    if (status !== null && status < 500) return null;
    return ok({
      kind: 'upstream-error',
      timeMs,
      status: status ?? 502,
      targetStatus: null,
      generator: 'lb',
      ...goErrorPhase(message),
      rawCause: message.slice(0, 200),
      target: /->([\d.:[\]a-fA-F]+:\d+)/.exec(message)?.[1] ?? /dial tcp ([^:\s]+:\d+)/.exec(message)?.[1],
      method,
      path,
      requestMs: durationS !== null ? Math.round(durationS * 1000) : null,
      client,
      requestLine,
    });
  }
  if (!logger.startsWith('http.log.access')) return null;
  if (status === null) return fail('access entry without status');
  const size = asNumber(o.size);
  const proxyError = status >= 500 && size === 0;
  const upstream = asString(pick(o, 'resp_headers.X-Upstream.0'));
  return ok({
    timeMs,
    status,
    targetStatus: proxyError ? null : status,
    generator: proxyError ? 'lb' : 'target',
    cause: proxyError
      ? status === 504
        ? 'response-timeout'
        : status === 503
          ? 'no-healthy-upstream'
          : 'unknown'
      : null,
    target: upstream,
    method,
    path,
    requestMs: durationS !== null ? Math.round(durationS * 1000) : null,
    protocol,
    client,
    requestLine,
  });
}

export const caddyFormat: LogFormat = {
  id: 'caddy',
  summary: 'Caddy JSON logs (http.log.access and http.log.error)',
  // Caddy's own lines, or (for its default log, where startup messages come first) any zap JSON line.
  detect: (sample) =>
    Math.max(
      shareOf(sample, (l) => /"logger":"http\.log\.(access|error)/.test(l)),
      0.6 * shareOf(sample, (l) => /^\{"level":"\w+","ts":[\d.]+,/.test(l)),
    ),
  parseLine: parseCaddyLine,
  gapsWithoutTarget: true,
  eventsInSameFile: true,
};
