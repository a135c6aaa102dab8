import type { CauseCode, FailurePhase, LogFormat, ParseResult } from '../types.js';
import { fail, ok, parseClfTimeMs, parseIsoMs, shareWithFloor } from '../util.js';

/**
 * H2O error log: proxy failures are written by `h2o_req_log_error` as
 * `[lib/core/proxy.c] in request:/path:<message>` (the path cut to 32 characters), one per request
 * answered with 502 (`h2o_send_error_502`). H2O itself writes no timestamp; a line is read when a
 * timestamp precedes it (journald/syslog `Nov 24 08:00:01 host h2o[123]: `, ISO 8601, Go/`date`
 * style `2026/11/24 08:00:01`, or `[24/Nov/2026:08:00:01 +0000]`), else it is reported as malformed
 * (a time is needed to relate it to anything).
 * Messages (h2o/h2o `lib/common/http1client.c` `on_head`/`on_body`, `lib/common/httpclient.c`,
 * `lib/common/socket.c` error strings): `I/O error (head)` — the connection failed before the response
 * header (the keep-alive race's signature when the connection was a reused one; H2O does not log
 * whether it was) -> read-header; `I/O error (body; content-length)` / `(body; chunked)` -> mid-response;
 * `connection refused` / `connection failure` / `network unreachable` -> connect; `connection timeout` ->
 * connect timeout; `first byte timeout` / `I/O timeout` -> response timeout; `failed to parse the
 * response` and header errors -> malformed response.
 */

const LINE = /\[(lib\/[\w/.-]+)\] in request:(.*):([^:]+)$/;

function prefixTimeMs(prefix: string): number {
  const iso = /(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)/.exec(prefix);
  if (iso) {
    const t = iso[1]!.replace(' ', 'T');
    return /Z$|[+-]\d\d:?\d\d$/.test(t) ? parseIsoMs(t) : Date.parse(`${t}Z`);
  }
  const go = /(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d)/.exec(prefix);
  if (go) return Date.parse(`${go[1]}-${go[2]}-${go[3]}T${go[4]}Z`);
  const clf = /\[(\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?)\]/.exec(prefix);
  if (clf) return parseClfTimeMs(clf[1]!);
  return Number.NaN;
}

export function classifyH2oMessage(message: string): {
  cause: CauseCode;
  phase: FailurePhase | undefined;
  status: number;
} {
  if (/^I\/O error \(head\)/.test(message))
    return { cause: 'upstream-closed-reused-connection', phase: 'read-header', status: 502 };
  if (/^I\/O error \(body/.test(message))
    return { cause: 'upstream-closed-mid-response', phase: 'read-body', status: 502 };
  if (/connection timeout|connection timed out/.test(message))
    return { cause: 'connect-timeout', phase: 'connect', status: 502 };
  if (/first byte timeout|I\/O timeout|io timeout/.test(message))
    return { cause: 'response-timeout', phase: 'read-header', status: 504 };
  if (/connection refused|connection failure|unreachable|socket create/.test(message))
    return { cause: 'connect-refused', phase: 'connect', status: 502 };
  if (/ssl|certificate|handshake/i.test(message)) return { cause: 'tls', phase: 'connect', status: 502 };
  if (
    /parse the response|line folding|invalid content-length|unexpected transfer-encoding|too many headers/i.test(
      message,
    )
  )
    return { cause: 'malformed-response', phase: 'read-header', status: 502 };
  return { cause: 'unknown', phase: undefined, status: 502 };
}

export function parseH2oLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const m = LINE.exec(line);
  if (m === null || !/proxy|httpclient|http1client|http2client/.test(m[1]!)) return null; // other modules' messages
  const timeMs = prefixTimeMs(line.slice(0, m.index));
  if (Number.isNaN(timeMs))
    return fail('no timestamp before the message (H2O writes none: keep the journald/syslog/docker prefix)');
  const message = m[3]!.trim();
  const path = m[2]!;
  const { cause, phase, status } = classifyH2oMessage(message);
  return ok({
    kind: 'upstream-error',
    timeMs,
    status,
    targetStatus: null,
    generator: 'lb',
    cause,
    rawCause: message.slice(0, 200),
    phase,
    path: path.endsWith('...') ? undefined : path,
  });
}

export const h2oFormat: LogFormat = {
  id: 'h2o',
  summary: 'H2O error log, proxy failures ([lib/core/proxy.c] in request:/x:I/O error (head))',
  detect: (sample) => shareWithFloor(sample, (l) => LINE.test(l)),
  parseLine: parseH2oLine,
};
