import type { CauseCode, FailurePhase, Generator, LogFormat, ParseResult } from '../types.js';
import {
  asNumber,
  asString,
  fail,
  jsonTimeMs,
  ok,
  parseJsonObject,
  pick,
  shareOf,
  splitRequestLine,
} from '../util.js';

/**
 * Google Cloud Application Load Balancer request logs (Cloud Logging JSON, one entry per line):
 * `httpRequest.status` and `jsonPayload.statusDetails`; Envoy-based regional/internal ALBs use
 * `jsonPayload.proxyStatus` (RFC 9209) instead.
 */

const STATUS_DETAILS: Record<string, { generator: Generator; cause: CauseCode }> = {
  backend_connection_closed_before_data_sent_to_client: {
    generator: 'lb',
    cause: 'upstream-closed-reused-connection',
  },
  failed_to_connect_to_backend: { generator: 'lb', cause: 'connect-refused' },
  failed_to_pick_backend: { generator: 'lb', cause: 'no-healthy-upstream' },
  backend_timeout: { generator: 'lb', cause: 'response-timeout' },
  backend_early_response_with_non_error_status: { generator: 'lb', cause: 'malformed-response' },
  backend_interim_response_not_supported: { generator: 'lb', cause: 'malformed-response' },
  backend_response_corrupted: { generator: 'lb', cause: 'malformed-response' },
  backend_response_headers_too_long: { generator: 'lb', cause: 'malformed-response' },
  error_uncompressing_gzipped_body: { generator: 'lb', cause: 'malformed-response' },
  failed_to_negotiate_alpn: { generator: 'lb', cause: 'tls' },
  client_disconnected_before_any_response: { generator: 'lb', cause: 'client-aborted' },
  client_disconnected_after_partial_response: { generator: 'lb', cause: 'client-aborted' },
  client_timed_out: { generator: 'lb', cause: 'client-aborted' },
  // The backend's status was already sent: the body was cut (a crash mid-response, not the race).
  backend_connection_closed_after_partial_response_sent: {
    generator: 'target',
    cause: 'upstream-closed-mid-response',
  },
};

/** The phase of the exchange each cause belongs to (statusDetails / proxyStatus wording). */
const PHASE_OF: Partial<Record<CauseCode, FailurePhase>> = {
  'upstream-closed-reused-connection': 'read-header',
  'connect-refused': 'connect',
  'connect-timeout': 'connect',
  'response-timeout': 'read-header',
  'malformed-response': 'read-header',
  tls: 'connect',
  'upstream-closed-mid-response': 'read-body',
};

const PROXY_STATUS: Record<string, CauseCode> = {
  connection_terminated: 'upstream-closed-reused-connection',
  connection_refused: 'connect-refused',
  connection_timeout: 'connect-timeout',
  destination_unavailable: 'no-healthy-upstream',
  destination_not_found: 'no-healthy-upstream',
  http_response_timeout: 'response-timeout',
  tls_protocol_error: 'tls',
  tls_certificate_error: 'tls',
  http_protocol_error: 'malformed-response',
  http_response_incomplete: 'malformed-response',
};

export function parseGcpLbLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const status = asNumber(pick(o, 'httpRequest.status'));
  const timeMs = jsonTimeMs(pick(o, 'timestamp', 'receiveTimestamp'));
  if (Number.isNaN(timeMs)) return fail('no timestamp');
  const details = asString(pick(o, 'jsonPayload.statusDetails'));
  const proxyStatus = asString(pick(o, 'jsonPayload.proxyStatus'));
  let generator: Generator = 'target';
  let cause: CauseCode | null = null;
  let rawCause = details ?? proxyStatus;
  if (details !== undefined && STATUS_DETAILS[details]) {
    ({ generator, cause } = STATUS_DETAILS[details]);
  } else if (proxyStatus !== undefined) {
    const error = /error="?([a-z_]+)/.exec(proxyStatus)?.[1];
    generator = 'lb';
    cause = (error && PROXY_STATUS[error]) || 'unknown';
    rawCause = proxyStatus;
  } else if (
    details !== undefined &&
    details !== 'response_sent_by_backend' &&
    !details.startsWith('response_from_cache')
  ) {
    generator = 'lb';
    cause = 'unknown';
  }
  if (status === null || status < 500) {
    cause = cause === 'client-aborted' || cause === 'upstream-closed-mid-response' ? cause : null;
    if (status === null && cause === null) return fail('no httpRequest.status');
  }
  const latency = asString(pick(o, 'httpRequest.latency'));
  const latencyMs = latency?.endsWith('s') ? Math.round(Number(latency.slice(0, -1)) * 1000) : null;
  const url = asString(pick(o, 'httpRequest.requestUrl'));
  const path = url ? splitRequestLine(`X ${url} X`).path : undefined;
  const serverIp = asString(pick(o, 'httpRequest.serverIp'));
  return ok({
    timeMs,
    status: status === 0 ? null : status,
    targetStatus: generator === 'target' ? status : null,
    generator,
    cause,
    rawCause,
    phase: cause !== null ? PHASE_OF[cause] : undefined,
    target: serverIp,
    client: asString(pick(o, 'httpRequest.remoteIp')),
    requestId: asString(pick(o, 'trace', 'insertId')),
    method: asString(pick(o, 'httpRequest.requestMethod')),
    path,
    requestMs: Number.isFinite(latencyMs) ? latencyMs : null,
  });
}

export const gcpLbFormat: LogFormat = {
  id: 'gcp-lb',
  summary: 'Google Cloud Application Load Balancer request log (Cloud Logging JSON, statusDetails)',
  detect: (sample) =>
    shareOf(
      sample,
      (l) =>
        l.includes('"httpRequest"') &&
        (l.includes('statusDetails') || l.includes('LoadBalancerLogEntry') || l.includes('proxyStatus')),
    ),
  parseLine: parseGcpLbLine,
};
