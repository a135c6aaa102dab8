import { KeepaliveParityError } from '../../errors.js';
import type { CauseCode, Generator, LogFormat, ParseResult } from '../types.js';
import { fail, intOrNull, ok, parseClfTimeMs, parseIsoMs, secondsToMs, smallIntAt } from '../util.js';

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
  /**
   * Where each variable's value starts and ends in the line last matched by `matchNginxOffsets`
   * (scratch space of this format, valid until its next match): the parser slices only the values
   * it reads, not one string per variable.
   */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
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
  return {
    prefix: format.slice(0, parts[0]!.start),
    segments,
    index,
    starts: new Int32Array(segments.length),
    ends: new Int32Array(segments.length),
  };
}

/** The next `sep` after a list variable's value. */
function findSeparator(line: string, sep: string, from: number): number {
  let k = line.indexOf(sep, from);
  if (sep.charCodeAt(0) !== 32) return k;
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

/**
 * Matches a line against a compiled format without making strings: value `i` is
 * `line.slice(compiled.starts[i], compiled.ends[i])`. False when the line does not match.
 */
export function matchNginxOffsets(compiled: CompiledFormat, line: string): boolean {
  if (!line.startsWith(compiled.prefix)) return false;
  const { segments, starts, ends } = compiled;
  let p = compiled.prefix.length;
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = segments[i]!;
    starts[i] = p;
    if (seg.after === '') {
      ends[i] = line.length;
      return true;
    }
    const k = seg.list ? findSeparator(line, seg.after, p) : line.indexOf(seg.after, p);
    if (k < 0) {
      // The last separator (often a closing quote) may be followed by extra fields: tolerate a
      // missing separator only at the very end of the line when it is whitespace.
      if (i === last && seg.after.trim() === '') {
        ends[i] = line.length;
        return true;
      }
      return false;
    }
    ends[i] = k;
    p = k + seg.after.length;
  }
  return true;
}

/** Splits a line by a compiled format; null when the line does not match. */
export function matchNginxLine(compiled: CompiledFormat, line: string): string[] | null {
  if (!matchNginxOffsets(compiled, line)) return null;
  const values: string[] = new Array(compiled.segments.length);
  for (let i = 0; i < values.length; i++) values[i] = line.slice(compiled.starts[i], compiled.ends[i]);
  return values;
}

function splitList(value: string): string[] {
  if (value.indexOf(',') < 0 && value.indexOf(' : ') < 0) return [value];
  return value.split(/, | : /);
}

/** Set per line by the parser: the line has a `,` or ` : ` at or after its first list variable. */
let lineHasList = false;

/** True when `line[start, end)` is a list (`a, b` or `a : b`): the test `splitList` makes, without a string. */
function isList(line: string, start: number, end: number): boolean {
  const comma = line.indexOf(',', start);
  if (comma >= 0 && comma < end) return true;
  const colon = line.indexOf(' : ', start);
  return colon >= 0 && colon + 3 <= end;
}

/**
 * `$msec` (`1793491200.026`) as integer ms: digits, a dot and exactly 3 decimals are read without
 * `Number()` (the same value: with at most 15 digits the double product is within 0.25 of it);
 * anything else goes the general way.
 */
function msecAt(line: string, start: number, end: number): number {
  const dot = end - 4;
  if (dot > start && dot - start <= 12 && line.charCodeAt(dot) === 46) {
    let v = 0;
    let k = start;
    for (; k < dot; k++) {
      const c = line.charCodeAt(k) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    const frac = smallIntAt(line, dot + 1, end);
    if (k === dot && frac >= 0) return v * 1000 + frac;
  }
  return Math.round(Number(line.slice(start, end)) * 1000);
}

/** `$time_local` at `line[start, end)`: the minute and zone of the previous line are reused when equal. */
let clfHead = '\u0000';
let clfTail = '\u0000';
let clfBase = 0;
function timeLocalAt(line: string, start: number, end: number): number {
  // `10/Oct/2000:13:55:36 -0700`: 17 characters of minute, 2 of seconds at 18, the zone from 20.
  if (
    end - start === 20 + clfTail.length &&
    line.startsWith(clfHead, start) &&
    line.startsWith(clfTail, start + 20) &&
    line.charCodeAt(start + 17) === 58
  ) {
    const sec = smallIntAt(line, start + 18, start + 20);
    if (sec >= 0) return clfBase + sec * 1000;
  }
  const text = line.slice(start, end);
  const ms = parseClfTimeMs(text);
  const sec = smallIntAt(text, 18, 20);
  if (!Number.isNaN(ms) && sec >= 0 && text.charCodeAt(17) === 58 && text.charCodeAt(20) !== 46) {
    // Fresh copies: a slice would keep the whole input chunk alive.
    clfHead = detach(text.slice(0, 17));
    clfTail = detach(text.slice(20));
    clfBase = ms - sec * 1000;
  }
  return ms;
}

function detach(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** `secondsToMs` of `line[start, end)`, reading `0.004` without a string. */
function secondsAt(line: string, start: number, end: number): number | null {
  const dot = end - 4;
  if (dot > start && line.charCodeAt(dot) === 46) {
    const whole = smallIntAt(line, start, dot);
    const frac = smallIntAt(line, dot + 1, end);
    if (whole >= 0 && frac >= 0) return whole * 1000 + frac;
  }
  return secondsToMs(line.slice(start, end));
}

/** Set by `requestAt`: the parts of a request line (`splitRequestLine`, without its object). */
let reqMethod: string | undefined;
let reqPath: string | undefined;
let reqProto: string | undefined;

function requestAt(line: string, start: number, end: number): void {
  reqMethod = undefined;
  reqPath = undefined;
  reqProto = undefined;
  if (end === start || (end - start === 1 && line.charCodeAt(start) === 45)) return;
  let first = line.indexOf(' ', start);
  if (first >= end) first = -1;
  if (first < 0) {
    reqMethod = line.slice(start, end);
    return;
  }
  const last = line.lastIndexOf(' ', end - 1);
  reqMethod = line.slice(start, first);
  let path = last > first ? line.slice(first + 1, last) : line.slice(first + 1, end);
  if (last > first) reqProto = line.slice(last + 1, end);
  const scheme = path.indexOf('://');
  if (scheme > 0 && scheme < 8) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  reqPath = path;
}

/** `$server_protocol` from a request line at `line[start, end)` (`splitRequestLine`'s `proto`). */
function protoAt(line: string, start: number, end: number): string | undefined {
  if (end === start || (end - start === 1 && line.charCodeAt(start) === 45)) return undefined;
  const first = line.indexOf(' ', start);
  if (first < 0 || first >= end) return undefined;
  const last = line.lastIndexOf(' ', end - 1);
  return last > first ? line.slice(last + 1, end) : undefined;
}

/**
 * Builds a parser for one compiled format. `lean`: the same decisions, but a record with only what
 * the analyzer reads (`LogFormat.parseForAnalysis`): no method, path, target status or timings it
 * does not use.
 */
export function nginxAccessParser(compiled: CompiledFormat, lean = false): (line: string) => ParseResult {
  const idx = (name: string) => compiled.index.get(name) ?? -1;
  const iStatus = idx('status');
  const iMsec = idx('msec');
  const iIso = idx('time_iso8601');
  const iLocal = idx('time_local');
  const iRequest = idx('request');
  const iMethod = idx('request_method');
  const iUri = compiled.index.get('request_uri') ?? idx('uri');
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
  const iRid = compiled.index.get('request_id') ?? compiled.index.get('req_id') ?? idx('http_x_request_id');
  if (iStatus < 0) {
    throw new KeepaliveParityError('KAP_USAGE', 'the nginx log_format must contain $status', {
      field: '--nginx-log-format',
    });
  }
  const listVars = compiled.segments.flatMap((seg, i) => (seg.list ? [i] : []));
  const S = compiled.starts;
  const E = compiled.ends;
  /** Value `i` of the line, or undefined when the format has no such variable. */
  const text = (line: string, i: number): string | undefined => (i < 0 ? undefined : line.slice(S[i], E[i]));
  /** The last entry of list value `i` (the attempt that answered). */
  const lastItem = (line: string, i: number): string | undefined => {
    if (i < 0) return undefined;
    const s = S[i]!;
    const e = E[i]!;
    if (!(lineHasList && isList(line, s, e))) return line.slice(s, e);
    const list = splitList(line.slice(s, e));
    return list[list.length - 1];
  };
  return (line: string): ParseResult => {
    if (line.length === 0) return null;
    if (!matchNginxOffsets(compiled, line)) {
      return fail('line does not match the nginx log_format (truncated or another format?)');
    }
    // One search per line: most lines have no `,` or ` : ` after the first list variable.
    lineHasList = false;
    if (listVars.length > 0) {
      let from = line.length;
      for (const i of listVars) if (S[i]! < from) from = S[i]!;
      lineHasList = line.indexOf(',', from) >= 0 || line.indexOf(' : ', from) >= 0;
    }
    let status = smallIntAt(line, S[iStatus]!, E[iStatus]!);
    if (status < 0) {
      const statusText = line.slice(S[iStatus], E[iStatus]);
      const parsed = intOrNull(statusText);
      if (parsed === null) return fail(`$status is not a number: ${JSON.stringify(statusText.slice(0, 20))}`);
      status = parsed;
    }
    let timeMs = Number.NaN;
    if (iMsec >= 0) timeMs = msecAt(line, S[iMsec]!, E[iMsec]!);
    else if (iIso >= 0) timeMs = parseIsoMs(line.slice(S[iIso], E[iIso]));
    else if (iLocal >= 0) timeMs = timeLocalAt(line, S[iLocal]!, E[iLocal]!);
    if (Number.isNaN(timeMs)) return fail('no parseable time ($msec, $time_iso8601 or $time_local)');
    if (!lean) {
      if (iRequest >= 0) requestAt(line, S[iRequest]!, E[iRequest]!);
      else requestAt(line, 0, 0);
    }
    // $upstream_status: one value per attempt; earlier attempts that failed mean a retry.
    let lastUpStatusText: string | undefined;
    let attempts = 0;
    let retriedUpstreamError = false;
    if (iUpStatus >= 0) {
      const s = S[iUpStatus]!;
      const e = E[iUpStatus]!;
      if (lineHasList && isList(line, s, e)) {
        const upStatuses = splitList(line.slice(s, e));
        attempts = upStatuses.length;
        lastUpStatusText = upStatuses[attempts - 1];
        for (let k = 0; k < attempts - 1; k++) {
          if (upStatuses[k] === '502' || upStatuses[k] === '504') retriedUpstreamError = true;
        }
      } else {
        attempts = 1;
        lastUpStatusText = line.slice(s, e);
      }
    }
    // The lean record has no target status: it is read only when a 5xx needs it.
    const lastUpStatus = lean ? null : intOrNull(lastUpStatusText);
    const lastAddr = lastItem(line, iUpAddr);
    const lastUct = lastItem(line, iUct);
    let generator: Generator = 'unknown';
    let cause: CauseCode | null = null;
    let rawCause: string | undefined;
    if (iUpStatus < 0) {
      generator = 'unknown';
    } else if (lastUpStatusText === '-' || lastUpStatusText === undefined || lastUpStatusText === '') {
      generator = 'lb'; // no upstream involved: nginx answered itself
      if (status >= 500) cause = 'unknown';
    } else if (status >= 500) {
      const headerTime = lastItem(line, iUht);
      const responseLength = intOrNull(lastItem(line, iUrl));
      if (lastAddr !== undefined && lastAddr !== '-' && !/:\d+$|^unix:/.test(lastAddr) && status === 502) {
        generator = 'lb';
        cause = 'no-healthy-upstream';
        rawCause = 'no live upstreams';
      } else if (headerTime !== undefined) {
        generator = headerTime === '-' ? 'lb' : 'target';
      } else if (responseLength !== null && (lean ? intOrNull(lastUpStatusText) : lastUpStatus) === status) {
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
    const protocol =
      iProto >= 0
        ? text(line, iProto)
        : lean
          ? iRequest >= 0
            ? protoAt(line, S[iRequest]!, E[iRequest]!)
            : undefined
          : reqProto;
    let client: string | undefined;
    if (iClient >= 0) {
      // `$remote_addr`, without a log shipper's prefix (`INFO <ts> [container: nginx] 10.0.0.1`).
      const s = S[iClient]!;
      const e = E[iClient]!;
      const space = e > s ? line.lastIndexOf(' ', e - 1) : -1;
      client = line.slice(space >= s ? space + 1 : s, e);
    }
    const requestId = text(line, iRid);
    const target = lastAddr !== undefined && lastAddr !== '-' ? lastAddr : undefined;
    const requestMs = iReqTime >= 0 ? secondsAt(line, S[iReqTime]!, E[iReqTime]!) : null;
    const record = {
      timeMs,
      status,
      targetStatus: null,
      generator,
      cause,
      target,
      requestMs,
      retriedUpstreamError: retriedUpstreamError || undefined,
      connectionId: text(line, iConn),
      protocol: protocol === '-' ? undefined : protocol,
      client,
      requestLine: text(line, iRequest),
      requestId: requestId !== '-' ? requestId : undefined,
    };
    if (lean) return ok(record);
    let targetProcessingMs: number | null = null;
    if (iUrt >= 0) {
      const s = S[iUrt]!;
      const e = E[iUrt]!;
      targetProcessingMs =
        lineHasList && isList(line, s, e) ? secondsToMs(lastItem(line, iUrt)) : secondsAt(line, s, e);
    }
    return ok({
      ...record,
      // A 502/504 that nginx generated appears in $upstream_status too: it is not the target's status.
      targetStatus: generator === 'lb' && status >= 500 ? null : lastUpStatus,
      rawCause,
      method: iMethod >= 0 ? text(line, iMethod) : reqMethod,
      path: iUri >= 0 ? text(line, iUri) : reqPath,
      targetProcessingMs,
      upstreamConnectMs: secondsToMs(lastUct),
      retries: attempts > 1 ? attempts - 1 : undefined,
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
    parseForAnalysis: nginxAccessParser(compiled, true),
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
