import { GO_BODY_COPY, goErrorPhase, goErrorTarget } from '../go-errors.js';
import type { LogFormat, ParseResult } from '../types.js';
import { fail, ok, parseIsoMs, shareWithFloor } from '../util.js';

/**
 * Go `net/http/httputil.ReverseProxy` error lines, as any Go proxy or sidecar built on it writes them
 * through the standard `log` package (Fabio and many home-grown gateways):
 * `2026/11/24 08:00:01 http: proxy error: EOF` — one line per request the proxy answered with 502
 * (504 for a timeout, and nothing useful for a client that went away: `context canceled`), and
 * `httputil: ReverseProxy read error during body copy: unexpected EOF` when the upstream failed after
 * the response header was sent (mid-response). The lines carry no request, only the Go error: the
 * cause and phase come from it (see go-errors.ts).
 * Sources: golang/go `src/net/http/httputil/reverseproxy.go` (`defaultErrorHandler` logs
 * `http: proxy error: %v` and answers 502; `copyBuffer` logs the body-copy error), `src/log/log.go`
 * (`2006/01/02 15:04:05` prefix, local time, optional `.000000` microseconds).
 */

const GO_TIME = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) /;
const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s/;
const PROXY_ERROR = /http: proxy error: (.*)$/;

function lineTimeMs(line: string): number {
  const g = GO_TIME.exec(line);
  // The standard logger writes local time without a zone: read as UTC (as HAProxy's is).
  if (g) return Date.parse(`${g[1]}-${g[2]}-${g[3]}T${g[4]}Z`);
  const iso = ISO_TIME.exec(line);
  if (iso) return /Z$|[+-]\d\d:?\d\d$/.test(iso[1]!) ? parseIsoMs(iso[1]!) : Date.parse(`${iso[1]}Z`);
  return Number.NaN;
}

export function parseGoProxyLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const proxyError = PROXY_ERROR.exec(line);
  const bodyCopy = proxyError === null ? GO_BODY_COPY.exec(line) : null;
  if (proxyError === null && bodyCopy === null) return null; // the application's other log lines
  const timeMs = lineTimeMs(line);
  if (Number.isNaN(timeMs))
    return fail('no timestamp before the message (Go log `2006/01/02 15:04:05` or ISO 8601)');
  const error = (proxyError ?? bodyCopy)![1]!.trim();
  if (bodyCopy !== null) {
    return ok({
      kind: 'upstream-error',
      timeMs,
      status: null, // the status line was already sent: the client saw the target's status and a cut body
      targetStatus: null,
      generator: 'target',
      cause: 'upstream-closed-mid-response',
      rawCause: `body copy: ${error.slice(0, 200)}`,
      phase: 'read-body',
      target: goErrorTarget(error),
    });
  }
  const { cause, phase } = goErrorPhase(error);
  return ok({
    kind: 'upstream-error',
    timeMs,
    status: cause === 'client-aborted' ? 499 : /timeout|deadline exceeded/.test(error) ? 504 : 502,
    targetStatus: null,
    generator: 'lb',
    cause,
    rawCause: error.slice(0, 200),
    phase,
    target: goErrorTarget(error),
  });
}

export const goProxyFormat: LogFormat = {
  id: 'go-proxy',
  summary: 'Go httputil reverse proxy errors (http: proxy error: EOF; Fabio, Go sidecars)',
  // The proxy's lines are often a minority among the application's own: any timestamped proxy-error
  // line makes this a candidate, below formats that match every line.
  detect: (sample) =>
    shareWithFloor(
      sample,
      (l) => (PROXY_ERROR.test(l) || GO_BODY_COPY.test(l)) && !Number.isNaN(lineTimeMs(l)),
    ),
  parseLine: parseGoProxyLine,
};
