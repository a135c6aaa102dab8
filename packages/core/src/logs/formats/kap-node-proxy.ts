import type { CauseCode, LogFormat, ParseResult } from '../types.js';
import { asNumber, asString, fail, ok, parseJsonObject, shareOf } from '../util.js';

/**
 * The log of keepalive-parity's own embedded Node proxy (`keepalive-parity lab`, a keep-alive
 * `http.Agent` in front of a backend), one JSON line per event:
 * `{"t":…,"ev":"access","rid":…,"method":…,"status":…,"reused":…,"retried":…}` and
 * `{"t":…,"ev":"error","rid":…,"method":…,"reused":…,"retrying":…,"message":"upstream reused pooled connection failed before the response (…)"}`.
 * `t` is a monotonic clock in ms (not a date): only differences between lines mean something.
 * Error events become upstream-error events joined to their access event by request id; a failure
 * on a reused pooled connection before the response is the race's shape (`connReused`).
 */

export function parseKapNodeProxyLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const ev = asString(o.ev);
  const timeMs = asNumber(o.t);
  if (ev !== 'access' && ev !== 'error') return null;
  if (timeMs === null) return fail('no t');
  const rid = asString(o.rid) || undefined;
  const method = asString(o.method);
  const reused = o.reused === true;
  if (ev === 'error') {
    const message = asString(o.message) ?? '';
    const refused = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/.test(message);
    const midBody = /after the response header/.test(message);
    let cause: CauseCode = 'unknown';
    if (refused) cause = 'connect-refused';
    else if (midBody) cause = 'upstream-closed-mid-response';
    else if (/before the response/.test(message)) cause = 'upstream-closed-reused-connection';
    return ok({
      kind: 'upstream-error',
      timeMs,
      status: midBody ? null : 502,
      targetStatus: null,
      generator: 'lb',
      cause,
      rawCause: message.slice(0, 200),
      phase: refused ? 'connect' : midBody ? 'read-body' : undefined,
      method,
      requestId: rid,
      connReused: reused,
      retriedUpstreamError: o.retrying === true || undefined,
    });
  }
  const status = asNumber(o.status);
  if (status === null) return fail('access event without status');
  return ok({
    timeMs,
    status,
    targetStatus: status >= 500 ? null : status,
    // The proxy's own 502 and a target's 502 look alike here: its error event (joined by request id) says which.
    generator: status >= 500 ? 'unknown' : 'target',
    cause: null,
    method,
    requestId: rid,
    connReused: reused,
    retries: o.retried === true ? 1 : undefined,
  });
}

export const kapNodeProxyFormat: LogFormat = {
  id: 'kap-node-proxy',
  summary: "keepalive-parity lab's embedded Node proxy (JSON events: access, error)",
  detect: (sample) => shareOf(sample, (l) => /^\{"t":[\d.]+,"ev":"(access|error|ready)"/.test(l)),
  parseLine: parseKapNodeProxyLine,
  gapsWithoutTarget: true,
  eventsInSameFile: true,
};
