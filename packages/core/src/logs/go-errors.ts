import type { CauseCode, FailurePhase, LogRecord } from './types.js';

/** The shared cause for a Go `net/http` client error string (Caddy, Traefik, gorouter, httputil). */
export function causeFromGoError(message: string): CauseCode {
  if (/connection refused|no route to host|network is unreachable|dial tcp: lookup/.test(message)) {
    return 'connect-refused';
  }
  if (/^dial tcp .*(i\/o timeout|timeout)/.test(message)) return 'connect-timeout';
  if (/timeout awaiting response headers|i\/o timeout|context deadline exceeded/.test(message))
    return 'response-timeout';
  if (/no upstreams available/.test(message)) return 'no-healthy-upstream';
  if (/tls:|x509:|handshake/.test(message)) return 'tls';
  if (/malformed HTTP|unexpected EOF reading trailer|invalid header/i.test(message))
    return 'malformed-response';
  if (/context canceled/.test(message)) return 'client-aborted';
  if (/^EOF$|: EOF$|connection reset by peer|server closed idle connection|broken pipe/.test(message)) {
    return 'upstream-closed-reused-connection';
  }
  return 'unknown';
}

/**
 * Go `net/http` client errors, as Go proxies print them (httputil `http: proxy error: <err>`, gorouter
 * `"error":"EOF"`, Traefik, Caddy): the cause (shared with Caddy's reader) plus the phase of the
 * exchange the error belongs to. Go's Transport reports a failure before the response header as the
 * round-trip error (`EOF`, `read: connection reset by peer`, `http: server closed idle connection`:
 * read-header; `write: broken pipe`: send-request; `dial tcp`: connect), and a failure while the body
 * is being copied separately (`httputil: ReverseProxy read error during body copy: unexpected EOF`):
 * read-body. Source: golang/go `src/net/http/transport.go` (`errServerClosedIdle`,
 * `transportReadFromServerError`) and `src/net/http/httputil/reverseproxy.go` (`defaultErrorHandler`,
 * `copyBuffer`).
 */
export function goErrorPhase(message: string): { cause: CauseCode; phase: FailurePhase | undefined } {
  const cause = causeFromGoError(message);
  if (/^dial |dial tcp|lookup /.test(message)) return { cause, phase: 'connect' };
  if (/\bwrite: |writev|readfrom tcp/.test(message)) {
    return {
      cause: cause === 'unknown' ? 'upstream-closed-reused-connection' : cause,
      phase: 'send-request',
    };
  }
  if (/timeout awaiting response headers/.test(message)) return { cause, phase: 'read-header' };
  if (cause === 'upstream-closed-reused-connection') return { cause, phase: 'read-header' };
  return { cause, phase: undefined };
}

/** A body-copy failure after the response header was sent (`unexpected EOF`, a reset while reading the body). */
export const GO_BODY_COPY = /ReverseProxy read error during body copy: (.*)$/;

/** `ip:port` of the peer in a Go net error (`read tcp A->B: ...`, `dial tcp B: ...`). */
export function goErrorTarget(message: string): string | undefined {
  return /->(\[?[\w.:]+\]?:\d+)/.exec(message)?.[1] ?? /dial tcp (\[?[\w.:]+\]?:\d+)/.exec(message)?.[1];
}

/**
 * The event for one Go proxy error line (httputil `http: proxy error`, Traefik's DEBUG line): the
 * proxy answered `status` (when the line does not say: 499 for a client that went away, 504 for a
 * timeout, else 502, as httputil's and Traefik's error handlers do).
 */
export function goErrorEvent(timeMs: number, error: string, status?: number): LogRecord {
  const { cause, phase } = goErrorPhase(error);
  return {
    kind: 'upstream-error',
    timeMs,
    status:
      status ?? (cause === 'client-aborted' ? 499 : /timeout|deadline exceeded/.test(error) ? 504 : 502),
    targetStatus: null,
    generator: 'lb',
    cause,
    rawCause: error.slice(0, 200),
    phase,
    target: goErrorTarget(error),
  };
}
