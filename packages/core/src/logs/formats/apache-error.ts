import type { CauseCode, FailurePhase, LogFormat, ParseResult } from '../types.js';
import { fail, ok, shareOf } from '../util.js';

/**
 * Apache httpd 2.4 error log (default ErrorLogFormat): mod_proxy / mod_proxy_http upstream errors
 * become records (kind `upstream-error`, generator `lb`); every other message is skipped, but its
 * time still tells how far back the error log reaches (`lineTimeMs`), so a 5xx in Apache's
 * `combined` access log with no error line at its time is the target's.
 *
 *   [Sun Dec 06 05:26:55.937696 2026] [proxy_http:error] [pid 1884:tid 1892] (20014)Internal error
 *   (specific information not available): [client 127.0.0.1:55168] AH01102: error reading status
 *   line from remote server 127.0.0.1:39753
 *
 * Codes, from httpd's source (apache/httpd, modules/proxy/mod_proxy_http.c, proxy_util.c,
 * mod_proxy.c, 2.4.x):
 * - AH01102 `error reading status line from remote server H:P` (ap_proxy_http_process_response):
 *   no response byte came back; phase `read-header`, 502 (the keep-alive race's line; also a backend
 *   that dies before answering: the same line, as measured). With `(70007)The timeout specified has
 *   expired` it is the read timeout (ProxyTimeout / `timeout=`), `response-timeout`; Apache 2.4.71
 *   answered it with 502 in the corpus run, not 504.
 * - AH01084 / AH01097 `pass request body failed to ADDR (HOST)`: writing the request to the upstream
 *   failed; phase `send-request`, 502 (race-shaped when reset/closed).
 * - AH01110 `error reading response`: the body broke after the header was relayed; phase
 *   `read-body`, `upstream-closed-mid-response`, no status of Apache's own (the target's was sent).
 * - AH01114 `HTTP: failed to make connection to backend: HOST`: connect failed, 503, phase `connect`.
 *   It follows AH00957 `attempt to connect to ADDR (HOST) failed` (proxy_util.c), which carries the
 *   errno but no client: AH00957 is skipped so one failure is one event; its errno 110/70007 would
 *   say connect timeout, AH01114 cannot, so AH01114 is `connect-refused` ("could not connect").
 * - AH00898 `MESSAGE returned by URI` is ap_proxyerror's summary of the error page Apache sends,
 *   written after the detailed line of the same request: skipped (counting it would double every
 *   failure). AH00959 `ap_proxy_connect_backend disabling worker` is a worker state change, not a
 *   request: skipped.
 * - AH01095 `prefetch request body failed ... from CLIENT`: reading the client's body failed:
 *   `client-aborted`, no upstream involved in the status.
 * Times carry no zone (local time): read as UTC, like nginx's error log.
 */

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const HEADER =
  /^\[(?:\w{3} )?(\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\d{4})\] \[(?:([\w-]+):)?(\w+)\] (?:\[pid \d+(?::tid \d+)?\] )?/;
const TIMEUP_ERRNOS = new Set([70007, 110]);
const RESET_OR_CLOSED = new Set([104, 32, 20014, 70014]);

interface Mapped {
  readonly cause: CauseCode;
  readonly status: number | null;
  readonly phase?: FailurePhase;
}

function timeOf(m: RegExpExecArray): number {
  const month = MONTHS.indexOf(m[1]!) / 3;
  const micros = m[6] === undefined ? 0 : Number(m[6].padEnd(6, '0'));
  return Date.UTC(+m[7]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!) + Math.floor(micros / 1000);
}

function mapCode(code: string, errno: number | null): Mapped | null {
  const timeup = errno !== null && TIMEUP_ERRNOS.has(errno);
  switch (code) {
    case '01102':
      return timeup
        ? { cause: 'response-timeout', status: 502, phase: 'read-header' }
        : { cause: 'upstream-closed-reused-connection', status: 502, phase: 'read-header' };
    case '01084':
    case '01097':
      if (timeup) return { cause: 'response-timeout', status: 502, phase: 'send-request' };
      return errno === null || RESET_OR_CLOSED.has(errno)
        ? { cause: 'upstream-closed-reused-connection', status: 502, phase: 'send-request' }
        : { cause: 'unknown', status: 502, phase: 'send-request' };
    case '01110':
      return timeup
        ? { cause: 'response-timeout', status: null, phase: 'read-body' }
        : { cause: 'upstream-closed-mid-response', status: null, phase: 'read-body' };
    case '01114':
      return { cause: 'connect-refused', status: 503, phase: 'connect' };
    case '01095':
      return { cause: 'client-aborted', status: null };
    default:
      return null;
  }
}

const CODE = /AH(\d{5}): /;
const TEXT: Record<string, string> = {
  '01102': 'error reading status line from remote server',
  '01084': 'pass request body failed',
  '01097': 'pass request body failed',
  '01110': 'error reading response',
  '01114': 'failed to make connection to backend',
  '01095': 'prefetch request body failed',
};

export function parseApacheErrorLine(line: string): ParseResult {
  const m = HEADER.exec(line);
  if (m === null) {
    return /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) /.test(line)
      ? fail('Apache error-log header is incomplete')
      : null;
  }
  if (!(m[8] ?? '').startsWith('proxy')) return null;
  const rest = line.slice(m[0].length);
  const code = CODE.exec(rest);
  if (code === null) return null;
  const errno = /^\((\d+)\)/.exec(rest);
  const errnoValue = errno === null ? null : Number(errno[1]);
  const mapped = mapCode(code[1]!, errnoValue);
  if (mapped === null) return null;
  const message = rest.slice(code.index + code[0].length);
  const client = /\[client ([^\]]+)\] /.exec(rest)?.[1];
  const errText = errno === null ? '' : ` (${rest.slice(0, rest.indexOf(':') >>> 0)})`;
  return ok({
    kind: 'upstream-error',
    timeMs: timeOf(m),
    status: mapped.status,
    targetStatus: null,
    generator: 'lb',
    cause: mapped.cause,
    rawCause: `AH${code[1]} ${TEXT[code[1]!]}${errText}`,
    target: targetOf(code[1]!, message),
    phase: mapped.phase,
    client,
    // The client's port: with `%{remote}p` in the access log given to diagnose as `$connection`,
    // the join pairs each error line with its own client connection (see docs/diagnose.md).
    connectionId: client === undefined ? undefined : /:(\d+)$/.exec(client)?.[1],
  });
}

/** `host:port` of the upstream when the message names it (AH01102 `server H:P`, AH01084 `to ADDR (HOST)`). */
function targetOf(code: string, message: string): string | undefined {
  if (code === '01102') return /remote server (\S+)$/.exec(message)?.[1];
  if (code === '01084' || code === '01097') return /failed to (\S+)/.exec(message)?.[1];
  return undefined;
}

export const apacheErrorFormat: LogFormat = {
  id: 'apache-error',
  summary: 'Apache httpd 2.4 error log (mod_proxy_http: AH01102, AH01084, AH01110, AH01114)',
  detect: (sample) => shareOf(sample, (l) => HEADER.test(l)),
  parseLine: parseApacheErrorLine,
  lineTimeMs: (line) => {
    const m = HEADER.exec(line);
    return m === null ? null : timeOf(m);
  },
};
