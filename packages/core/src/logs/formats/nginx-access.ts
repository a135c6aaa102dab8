import { KeepaliveParityError } from '../../errors.js';
import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import { fail, intOrNull, ok, parseClfTimeMs, parseIsoMs, secondsToMs, splitRequestLine } from '../util.js';

/**
 * nginx access logs in any `log_format`: the format string is compiled into a list of literal
 * separators and variables. `combined` (the default) carries no upstream data, so its 5xx have an
 * unknown generator; with `$upstream_status` / `$upstream_connect_time` / `$upstream_header_time`
 * the proxy's own 502/504 are told apart from the target's.
 */

export const NGINX_COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** ingress-nginx's default `upstreaminfo` format. */
export const NGINX_INGRESS_UPSTREAMINFO =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id';

/** Variables whose values are lists (`a, b : c`): a separator search must not stop inside them. */
const LIST_VARIABLES = new Set([
  'upstream_addr',
  'upstream_status',
  'upstream_response_time',
  'upstream_connect_time',
  'upstream_header_time',
  'upstream_response_length',
  'upstream_bytes_sent',
  'upstream_bytes_received',
  'upstream_queue_time',
]);

interface Segment {
  readonly variable: string;
  /** The literal text that follows the variable ('' = the variable runs to the end of the line). */
  readonly after: string;
  readonly list: boolean;
}

interface CompiledFormat {
  readonly prefix: string;
  readonly segments: readonly Segment[];
  readonly index: ReadonlyMap<string, number>;
}

/** Compiles an nginx `log_format` string; throws KAP_USAGE naming the flag when it has no variable. */
export function compileNginxLogFormat(format: string, field = '--nginx-log-format'): CompiledFormat {
  const re = /\$(?:\{(\w+)\}|(\w+))/g;
  const parts: Array<{ variable: string; start: number; end: number }> = [];
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    parts.push({ variable: (m[1] ?? m[2])!, start: m.index, end: m.index + m[0].length });
  }
  if (parts.length === 0) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `the nginx log_format has no $variable: ${JSON.stringify(format)}`,
      {
        field,
      },
    );
  }
  const segments: Segment[] = parts.map((p, i) => ({
    variable: p.variable,
    after: format.slice(p.end, i + 1 < parts.length ? parts[i + 1]!.start : format.length),
    list: LIST_VARIABLES.has(p.variable),
  }));
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i]!.after === '') {
      throw new KeepaliveParityError(
        'KAP_USAGE',
        `the nginx log_format has $${segments[i]!.variable} and $${segments[i + 1]!.variable} with nothing between them, so they cannot be told apart`,
        { field },
      );
    }
  }
  const index = new Map<string, number>();
  segments.forEach((s, i) => {
    index.set(s.variable, i);
  });
  return { prefix: format.slice(0, parts[0]!.start), segments, index };
}

function findSeparator(line: string, sep: string, from: number, list: boolean): number {
  let k = line.indexOf(sep, from);
  if (!list || sep[0] !== ' ') return k;
  // Inside `a, b` or `a : b` lists the separator may match a list delimiter: skip those.
  while (k >= 0) {
    const prev = line.charCodeAt(k - 1);
    const isComma = prev === 44; /* , */
    const isColonList = line.startsWith(' : ', k) || (prev === 58 /* : */ && line.charCodeAt(k - 2) === 32);
    if (!isComma && !isColonList) return k;
    k = line.indexOf(sep, k + 1);
  }
  return k;
}

/** Splits a line by a compiled format; null when the line does not match. */
export function matchNginxLine(compiled: CompiledFormat, line: string): string[] | null {
  if (!line.startsWith(compiled.prefix)) return null;
  let p = compiled.prefix.length;
  const values: string[] = new Array(compiled.segments.length);
  const last = compiled.segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = compiled.segments[i]!;
    if (seg.after === '') {
      values[i] = line.slice(p);
      return values;
    }
    const k = findSeparator(line, seg.after, p, seg.list);
    if (k < 0) {
      // The last separator (often a closing quote) may be followed by extra fields: tolerate a
      // missing separator only at the very end of the line when it is whitespace.
      if (i === last && seg.after.trim() === '') {
        values[i] = line.slice(p);
        return values;
      }
      return null;
    }
    values[i] = line.slice(p, k);
    p = k + seg.after.length;
  }
  return values;
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.indexOf(',') < 0 && value.indexOf(' : ') < 0) return [value];
  return value.split(/, | : /);
}

function lastOf<T>(list: T[] | undefined): T | undefined {
  return list === undefined ? undefined : list[list.length - 1];
}

/** `$remote_addr`, without a log shipper's prefix (`INFO <ts> [container: nginx] 10.0.0.1`). */
function clientAddress(value: string): string {
  const space = value.lastIndexOf(' ');
  return space < 0 ? value : value.slice(space + 1);
}

/** Builds a parser for one compiled format. */
export function nginxAccessParser(compiled: CompiledFormat): (line: string) => ParseResult {
  const idx = (name: string) => compiled.index.get(name);
  const iStatus = idx('status');
  const iMsec = idx('msec');
  const iIso = idx('time_iso8601');
  const iLocal = idx('time_local');
  const iRequest = idx('request');
  const iMethod = idx('request_method');
  const iUri = idx('request_uri') ?? idx('uri');
  const iUpStatus = idx('upstream_status');
  const iUpAddr = idx('upstream_addr');
  const iUct = idx('upstream_connect_time');
  const iUht = idx('upstream_header_time');
  const iUrt = idx('upstream_response_time');
  const iUrl = idx('upstream_response_length');
  const iReqTime = idx('request_time');
  const iConn = idx('connection');
  const iProto = idx('server_protocol');
  const iClient = idx('remote_addr');
  const iRid = idx('request_id') ?? idx('req_id') ?? idx('http_x_request_id');
  if (iStatus === undefined) {
    throw new KeepaliveParityError('KAP_USAGE', 'the nginx log_format must contain $status', {
      field: '--nginx-log-format',
    });
  }
  return (line: string): ParseResult => {
    if (line.length === 0) return null;
    const v = matchNginxLine(compiled, line);
    if (v === null) return fail('line does not match the nginx log_format (truncated or another format?)');
    const status = intOrNull(v[iStatus]);
    if (status === null) return fail(`$status is not a number: ${JSON.stringify(v[iStatus]!.slice(0, 20))}`);
    let timeMs = Number.NaN;
    if (iMsec !== undefined) timeMs = Math.round(Number(v[iMsec]) * 1000);
    else if (iIso !== undefined) timeMs = parseIsoMs(v[iIso]!);
    else if (iLocal !== undefined) timeMs = parseClfTimeMs(v[iLocal]!);
    if (Number.isNaN(timeMs)) return fail('no parseable time ($msec, $time_iso8601 or $time_local)');
    const request = iRequest !== undefined ? splitRequestLine(v[iRequest]) : {};
    const method = iMethod !== undefined ? v[iMethod] : request.method;
    const path = iUri !== undefined ? v[iUri] : request.path;
    const upStatuses = iUpStatus !== undefined ? splitList(v[iUpStatus]) : undefined;
    const upAddrs = iUpAddr !== undefined ? splitList(v[iUpAddr]) : undefined;
    const ucts = iUct !== undefined ? splitList(v[iUct]) : undefined;
    const uhts = iUht !== undefined ? splitList(v[iUht]) : undefined;
    const urts = iUrt !== undefined ? splitList(v[iUrt]) : undefined;
    const urls = iUrl !== undefined ? splitList(v[iUrl]) : undefined;
    const lastUpStatusText = lastOf(upStatuses);
    const lastUpStatus = intOrNull(lastUpStatusText);
    const lastAddr = lastOf(upAddrs);
    const lastUct = lastOf(ucts);
    const attempts = upStatuses?.length ?? 0;
    const retriedUpstreamError =
      upStatuses !== undefined &&
      attempts > 1 &&
      upStatuses.slice(0, -1).some((s) => s === '502' || s === '504');
    let generator: Generator = 'unknown';
    let cause: CauseCode | null = null;
    let rawCause: string | undefined;
    if (upStatuses === undefined) {
      generator = 'unknown';
    } else if (lastUpStatusText === '-' || lastUpStatusText === undefined || lastUpStatusText === '') {
      generator = 'lb'; // no upstream involved: nginx answered itself
      if (status >= 500) cause = 'unknown';
    } else if (status >= 500) {
      const headerTime = lastOf(uhts);
      const responseLength = intOrNull(lastOf(urls));
      if (lastAddr !== undefined && lastAddr !== '-' && !/:\d+$|^unix:/.test(lastAddr) && status === 502) {
        generator = 'lb';
        cause = 'no-healthy-upstream';
        rawCause = 'no live upstreams';
      } else if (headerTime !== undefined) {
        generator = headerTime === '-' ? 'lb' : 'target';
      } else if (responseLength !== null && lastUpStatus === status) {
        generator = responseLength > 0 ? 'target' : 'lb';
      } else {
        generator = status === 502 || status === 504 ? 'lb' : 'target';
      }
      if (generator === 'lb' && cause === null) {
        const uctMs = secondsToMs(lastUct);
        if (status === 504) {
          cause = lastUct === '-' ? 'connect-timeout' : 'response-timeout';
        } else if (status === 502) {
          if (lastUct === undefined) cause = 'unknown';
          else if (lastUct === '-' || lastUct === '') {
            cause = 'connect-refused';
            rawCause = 'no upstream connect time';
          } else if (uctMs === 0) {
            cause = 'upstream-closed-reused-connection';
            rawCause = 'upstream_connect_time 0 (reused connection)';
          } else {
            cause = 'unknown';
            rawCause = 'fresh upstream connection failed';
          }
        } else cause = 'unknown';
      }
    } else {
      generator = 'target';
    }
    const protocol = iProto !== undefined ? v[iProto] : request.proto;
    return ok({
      timeMs,
      status,
      // A 502/504 that nginx generated appears in $upstream_status too: it is not the target's status.
      targetStatus: generator === 'lb' && status >= 500 ? null : lastUpStatus,
      generator,
      cause,
      rawCause,
      target: lastAddr !== undefined && lastAddr !== '-' ? lastAddr : undefined,
      method,
      path,
      requestMs: iReqTime !== undefined ? secondsToMs(v[iReqTime]) : null,
      targetProcessingMs: secondsToMs(lastOf(urts)),
      upstreamConnectMs: secondsToMs(lastUct),
      retries: attempts > 1 ? attempts - 1 : undefined,
      retriedUpstreamError: retriedUpstreamError || undefined,
      connectionId: iConn !== undefined ? v[iConn] : undefined,
      protocol: protocol === '-' ? undefined : protocol,
      client: iClient !== undefined ? clientAddress(v[iClient]!) : undefined,
      requestLine: iRequest !== undefined ? v[iRequest] : undefined,
      requestId: iRid !== undefined && v[iRid] !== '-' ? v[iRid] : undefined,
    });
  };
}

/** A log format for a given nginx `log_format` string (used for `--nginx-log-format`). */
export function nginxAccessFormat(format: string, id = 'nginx-custom'): LogFormat {
  const compiled = compileNginxLogFormat(format);
  const parseLine = nginxAccessParser(compiled);
  return {
    id,
    summary: `nginx access log, log_format '${format}'`,
    detect: (sample) => {
      let total = 0;
      let hits = 0;
      for (const line of sample) {
        if (line.trim() === '') continue;
        total++;
        const r = parseLine(line);
        if (r?.ok) hits++;
      }
      return total === 0 ? 0 : hits / total;
    },
    parseLine,
  };
}

const combined = nginxAccessFormat(NGINX_COMBINED, 'nginx-combined');
const ingress = nginxAccessFormat(NGINX_INGRESS_UPSTREAMINFO, 'nginx-ingress');

export const nginxCombinedFormat: LogFormat = {
  ...combined,
  summary: 'nginx access log, combined format (no upstream fields: generator unknown)',
  // The ingress format starts with combined: prefer it when its extra fields match.
  detect: (sample) => combined.detect(sample) * 0.9,
};

export const nginxIngressFormat: LogFormat = {
  ...ingress,
  summary: 'ingress-nginx access log (upstreaminfo format)',
};
