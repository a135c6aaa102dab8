import { GO_BODY_COPY, goErrorEvent, goErrorTarget } from '../go-errors.js';
import type { LogFormat, ParseResult } from '../types.js';
import { asString, fail, jsonTimeMs, ok, parseIsoMs, parseJsonObject, shareWithFloor } from '../util.js';

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
 * (`2006/01/02 15:04:05` prefix, local time, optional `.000000` microseconds). Shapes seen in public
 * reports: Fabio prefixes the standard logger's line (`invalid log msg: 2019/10/26 02:22:34 http: proxy
 * error: EOF`, fabiolb/fabio #716, #721, #862 — where users traced them to backend keep-alive
 * timeouts); programs that route the logger through `log/slog` write JSON
 * (`{"time":"...","level":"INFO","msg":"http: proxy error: EOF"}`, TecharoHQ/anubis #1624).
 */

const GO_TIME = /(?:^|\s)(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) /;
const ISO_TIME = /(?:^|\s)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s/;
const PROXY_ERROR = /http: proxy error: (.*)$/;

function isoMs(text: string): number {
  return /Z$|[+-]\d\d:?\d\d$/.test(text) ? parseIsoMs(text) : Date.parse(`${text}Z`);
}

/** The time in the text before the message: the Go logger's (local time, no zone: read as UTC) or ISO. */
function prefixTimeMs(prefix: string): number {
  const g = GO_TIME.exec(prefix);
  if (g) return Date.parse(`${g[1]}-${g[2]}-${g[3]}T${g[4]}Z`);
  const iso = ISO_TIME.exec(`${prefix} `);
  return iso ? isoMs(iso[1]!) : Number.NaN;
}

/** The message and time of a line: plain text, or a JSON (slog/zap) entry with `msg` and `time`. */
function messageAndTime(line: string): { message: string; timeMs: number } {
  const brace = line.indexOf('{');
  if (brace >= 0) {
    const o = parseJsonObject(line.slice(brace));
    if (o !== null) {
      const message = asString(o.msg) ?? asString(o.message) ?? '';
      const time = o.time ?? o.ts ?? o.timestamp;
      return { message, timeMs: typeof time === 'string' ? isoMs(time) : jsonTimeMs(time) };
    }
  }
  const at = line.search(/http: proxy error: |httputil: ReverseProxy read error/);
  return { message: line, timeMs: prefixTimeMs(line.slice(0, Math.max(0, at))) };
}

export function parseGoProxyLine(line: string): ParseResult {
  if (!line.includes('http: proxy error: ') && !line.includes('ReverseProxy read error')) return null; // the program's other lines
  const { message, timeMs } = messageAndTime(line);
  const proxyError = PROXY_ERROR.exec(message);
  const bodyCopy = proxyError === null ? GO_BODY_COPY.exec(message) : null;
  if (proxyError === null && bodyCopy === null) return null;
  if (Number.isNaN(timeMs)) {
    return fail('no timestamp with the message (Go log `2006/01/02 15:04:05`, ISO 8601, or a JSON time)');
  }
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
  return ok(goErrorEvent(timeMs, error));
}

export const goProxyFormat: LogFormat = {
  id: 'go-proxy',
  summary: 'Go httputil reverse proxy errors (http: proxy error: EOF; Fabio, Go sidecars)',
  // The proxy's lines are often a minority among the application's own: any timestamped proxy-error
  // line makes this a candidate, below formats that match every line.
  detect: (sample) => shareWithFloor(sample, (l) => parseGoProxyLine(l)?.ok === true),
  parseLine: parseGoProxyLine,
};
