import { goErrorPhase, goErrorTarget } from '../go-errors.js';
import type { CauseCode, FailurePhase, Generator, LogFormat, ParseResult } from '../types.js';
import {
  asNumber,
  asString,
  fail,
  jsonTimeMs,
  ok,
  parseIsoMs,
  parseJsonObject,
  shareOf,
  splitRequestLine,
} from '../util.js';

/**
 * Cloud Foundry gorouter.
 * - `gorouter`: the access log (`/var/vcap/sys/log/gorouter/access.log`, also what `cf logs` shows as
 *   `[RTR/n]`): `host - [start] "request" status bytes_received bytes_sent "referer" "user_agent"
 *   "client" "backend" key:"value"...`, with `x_cf_routererror`, `vcap_request_id`, `response_time`,
 *   `backend_time`, `failed_attempts`; a prefix before it (`cf logs`' `<time> [RTR/0] OUT `, a syslog
 *   drain's header) is skipped.
 * - `gorouter-json`: gorouter's own JSON log (`gorouter.stdout.log`): `backend-endpoint-failed` (one
 *   per failed attempt, with the Go error and, in current versions, `got-connection`,
 *   `wrote-headers`, `conn-reused`, `retriable`), `backend-request-timeout`, `select-endpoint-failed`.
 * Sources: cloudfoundry/gorouter `proxy/round_tripper/proxy_round_tripper.go` (the attempt loop and the
 *   fields it logs), `proxy/round_tripper/error_handler.go` and its test (`X-Cf-RouterError:
 *   endpoint_failure (<error>)`, 502 unless a classifier says otherwise), `handlers/lookup.go`
 *   (`unknown_route` 404, `no_endpoints` 503); access-log example in cloudfoundry/cf-networking-onboarding
 *   `http-routes/120-incoming-http-requests-pt-5.markdown`. A failed reused connection is
 *   `endpoint_failure (EOF)` in the access log (`EOF (via idempotent request)` when gorouter retried
 *   it) and `backend-endpoint-failed` with `"error":"EOF"`, `"conn-reused":true` in the JSON log;
 *   `EOF` on a connection that was *not* reused is not the keep-alive race.
 */

/** Anchored at the line start or after a prefix (`cf logs`: `<time> [RTR/0] OUT `, syslog drains). */
const HEAD =
  /(?:^|\s)(\S+) - \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d+|-) (\d+|-) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" "([^"]*)" "([^"]*)"(.*)$/;
const PAIR = /([a-z_0-9]+):(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;

/** `2021-02-18T21:22:32.355501523Z`, or older `2017-05-22 11:41:09.404 +0000` / `07/07/2016:18:31:26.150 +0000`. */
function gorouterTimeMs(text: string): number {
  const iso = parseIsoMs(text);
  if (!Number.isNaN(iso)) return iso;
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)$/.exec(text);
  if (m) return Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  const us = /^(\d\d)\/(\d\d)\/(\d{4}):(\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)$/.exec(text);
  if (us) return Date.parse(`${us[3]}-${us[1]}-${us[2]}T${us[4]}${us[5]}:${us[6]}`);
  return Number.NaN;
}

interface GoClassification {
  generator: Generator;
  cause: CauseCode | null;
  phase: FailurePhase | undefined;
}

/** Cause and phase of a gorouter `x_cf_routererror` value for a response with `status`. */
export function classifyRouterError(routerError: string, status: number | null): GoClassification {
  if (routerError === '' || routerError === '-') {
    return { generator: 'target', cause: null, phase: undefined };
  }
  if (routerError === 'no_endpoints' || /connection limit reached/i.test(routerError)) {
    return { generator: 'lb', cause: 'no-healthy-upstream', phase: undefined };
  }
  const failure = /^endpoint_failure \((.*)\)$/.exec(routerError);
  if (failure) {
    const error = failure[1]!.replace(/ \(via idempotent request\)$/, '');
    const { cause, phase } = goErrorPhase(error);
    if (status === 499) return { generator: 'lb', cause: 'client-aborted', phase: undefined };
    return { generator: 'lb', cause, phase };
  }
  return { generator: 'lb', cause: status !== null && status >= 500 ? 'unknown' : null, phase: undefined };
}

export function parseGorouterAccessLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const m = HEAD.exec(line);
  if (m === null) return fail('not a gorouter access line (host - [time] "request" status ...)');
  const startMs = gorouterTimeMs(m[2]!);
  if (Number.isNaN(startMs)) return fail('start time is not a time');
  const status = m[4] === '-' ? null : Number(m[4]);
  const pairs = new Map<string, string>();
  for (const p of m[11]!.matchAll(PAIR)) pairs.set(p[1]!, p[2] ?? p[3]!);
  const routerError = pairs.get('x_cf_routererror') ?? '-';
  const c = classifyRouterError(routerError, status);
  const responseS = asNumber(pairs.get('response_time'));
  const backendS = asNumber(pairs.get('backend_time'));
  const failedAttempts = asNumber(pairs.get('failed_attempts')) ?? 0;
  const request = splitRequestLine(m[3]);
  const backend = m[10]!;
  const requestId = pairs.get('vcap_request_id');
  return ok({
    timeMs: startMs + (responseS !== null ? Math.round(responseS * 1000) : 0),
    status,
    targetStatus: c.generator === 'target' ? status : null,
    generator: c.generator,
    cause: c.cause,
    rawCause: routerError !== '-' ? routerError : undefined,
    phase: c.phase,
    target: backend !== '-' && backend !== '' ? backend : undefined,
    method: request.method,
    path: request.path,
    protocol: request.proto,
    requestMs: responseS !== null ? Math.round(responseS * 1000) : null,
    targetProcessingMs: backendS !== null ? Math.round(backendS * 1000) : null,
    retries: failedAttempts > 0 ? failedAttempts : undefined,
    retriedUpstreamError: failedAttempts > 0 && c.generator === 'target' ? true : undefined,
    client: m[9] !== '-' ? m[9] : undefined,
    requestLine: m[3] !== '-' ? m[3] : undefined,
    requestId: requestId && requestId !== '-' ? requestId : undefined,
  });
}

/** Reads `data.x` or `x` (lager nests fields under `data`; some shippers flatten them). */
function field(o: Record<string, unknown>, key: string): unknown {
  const data = o.data;
  if (data !== null && typeof data === 'object' && key in (data as object))
    return (data as Record<string, unknown>)[key];
  return o[key];
}

const GOROUTER_MESSAGES = new Set([
  'backend-endpoint-failed',
  'backend-request-timeout',
  'select-endpoint-failed',
  'route-service-connection-failed',
]);

export function parseGorouterJsonLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const message = (asString(o.message) ?? asString(o.msg) ?? '').replace(
    /^vcap\.gorouter\.(?:[\w-]+\.)*/,
    '',
  );
  if (!GOROUTER_MESSAGES.has(message)) return null;
  const ts = o.timestamp ?? o.time;
  const timeMs = typeof ts === 'string' && /^\d+(\.\d+)?$/.test(ts) ? Number(ts) * 1000 : jsonTimeMs(ts);
  if (Number.isNaN(timeMs)) return fail('no timestamp');
  const error = asString(field(o, 'error')) ?? '';
  const endpoint = field(o, 'route-endpoint');
  const addr =
    endpoint !== null && typeof endpoint === 'object'
      ? asString((endpoint as Record<string, unknown>).Addr ?? (endpoint as Record<string, unknown>).addr)
      : undefined;
  const connReused = field(o, 'conn-reused');
  const gotConnection = field(o, 'got-connection');
  const wroteHeaders = field(o, 'wrote-headers');
  const retriable = field(o, 'retriable') === true;
  let cause: CauseCode;
  let phase: FailurePhase | undefined;
  if (message === 'select-endpoint-failed') {
    cause = 'no-healthy-upstream';
  } else if (message === 'backend-request-timeout') {
    cause = 'response-timeout';
    phase = 'read-header';
  } else {
    ({ cause, phase } = goErrorPhase(error));
    if (gotConnection === false) phase = 'connect';
    else if (wroteHeaders === false && phase !== 'connect') phase = 'send-request';
    // The keep-alive race needs a reused connection: an EOF on a fresh one is something else.
    if (cause === 'upstream-closed-reused-connection' && connReused === false) cause = 'unknown';
  }
  const requestId = asString(field(o, 'vcap_request_id'));
  return ok({
    kind: 'upstream-error',
    timeMs,
    // A retriable failure was retried on another endpoint: it did not reach the client as a 502.
    status: retriable
      ? null
      : cause === 'response-timeout'
        ? 504
        : cause === 'no-healthy-upstream'
          ? 503
          : 502,
    targetStatus: null,
    generator: 'lb',
    cause,
    rawCause: `${message}${error ? `: ${error.slice(0, 200)}` : ''}${typeof connReused === 'boolean' ? ` (conn-reused ${connReused})` : ''}`,
    phase,
    target: addr ?? goErrorTarget(error),
    retriedUpstreamError: retriable || undefined,
    requestId: requestId || undefined,
    connReused: typeof connReused === 'boolean' ? connReused : undefined,
  });
}

const ACCESS_DETECT =
  / - \[[^\]]+\] "[^"]*" \d+ \d+ \d+ "[^"]*" "[^"]*" "[^"]*" "[^"]*" .*(?:vcap_request_id|x_cf_routererror|gorouter_time|response_time):/;

export const gorouterAccessFormat: LogFormat = {
  id: 'gorouter',
  summary: 'Cloud Foundry gorouter access log (x_cf_routererror, vcap_request_id)',
  detect: (sample) => shareOf(sample, (l) => ACCESS_DETECT.test(l)),
  parseLine: parseGorouterAccessLine,
};

export const gorouterJsonFormat: LogFormat = {
  id: 'gorouter-json',
  summary: 'Cloud Foundry gorouter JSON log (backend-endpoint-failed, conn-reused)',
  detect: (sample) => shareOf(sample, (l) => /"source":\s*"vcap\.gorouter/.test(l)),
  parseLine: parseGorouterJsonLine,
};
