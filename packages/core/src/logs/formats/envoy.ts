import { KeepaliveParityError } from '../../errors.js';
import type { CauseCode, FailurePhase, Generator, LogFormat, ParseResult } from '../types.js';
import {
  asNumber,
  fail,
  jsonTimeMs,
  ok,
  parseIsoMs,
  parseJsonObject,
  shareOf,
  splitRequestLine,
  tokenize,
} from '../util.js';

/**
 * Envoy / Istio access logs.
 * - `envoy`: Envoy's default text format and Istio's default text format (which adds
 *   `%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"`
 *   after the flags and the cluster/addresses at the end).
 * - `envoy-json`: JSON (`json_format`) with whatever keys the operator chose: keys are matched by
 *   name (`response_code`, `responseCode`, `RESPONSE_CODE`...) and, for the cause fields, by the shape
 *   of their values (`UC`/`UF,URX` flags, `upstream_reset_before_response_started{...}` details).
 *   Istio's default JSON (`meshConfig.accessLogEncoding: JSON`) is one such shape.
 * - `envoyFormatString()`: any text format string given with `--envoy-log-format`, in Envoy's own
 *   command operators (`%START_TIME%`, `%RESPONSE_CODE%`, `%RESPONSE_FLAGS%`, `%REQ(X-REQUEST-ID)%`...).
 * Sources: envoyproxy/envoy `docs/root/configuration/observability/access_log/usage.rst` (default
 * format, command operators, `%RESPONSE_CODE%` 0), `source/common/stream_info/utility.h` (flags),
 * `source/common/router/router.cc` (`upstream_reset_before_response_started{<reason>}` /
 * `upstream_reset_after_response_started{<reason>}` details); Istio default formats:
 * istio/istio.io `content/en/docs/tasks/observability/logs/access-log/index.md`.
 * The race is 503 `UC` with `upstream_reset_before_response_started{connection_termination}`: the
 * reused connection was closed before any response byte (phase read-header; Envoy does not say whether
 * the request was fully written). `..._after_response_started{...}` is a mid-response close (read-body).
 * A `UF` line says Envoy could not use a connection (`{connection_failure}`); envoy issue #17432 shows a
 * reused connection failing that way too, so `UF` without a transport reason stays `connect-refused`
 * as Envoy labels it, with the raw flags kept.
 */

export interface EnvoyClassification {
  generator: Generator;
  cause: CauseCode | null;
  rawCause: string | undefined;
  phase: FailurePhase | undefined;
}

/** `%RESPONSE_FLAGS_LONG%` names → the short flags (source/common/stream_info/utility.h). */
const LONG_FLAGS: Record<string, string> = {
  NoHealthyUpstream: 'UH',
  UpstreamConnectionFailure: 'UF',
  UpstreamOverflow: 'UO',
  NoRouteFound: 'NR',
  UpstreamRetryLimitExceeded: 'URX',
  NoClusterFound: 'NC',
  DurationTimeout: 'DT',
  DownstreamConnectionTermination: 'DC',
  FailedLocalHealthCheck: 'LH',
  UpstreamRequestTimeout: 'UT',
  LocalReset: 'LR',
  UpstreamRemoteReset: 'UR',
  UpstreamConnectionTermination: 'UC',
  UpstreamProtocolError: 'UPE',
  DownstreamRemoteReset: 'DR',
  DnsResolutionFailed: 'DF',
  OverloadManagerTerminated: 'OM',
  DropOverload: 'DO',
};

export function classifyEnvoy(
  status: number | null,
  flagsText: string,
  details: string,
  failureReason: string,
): EnvoyClassification {
  const flags =
    flagsText === '-' || flagsText === '' ? [] : flagsText.split(',').map((f) => LONG_FLAGS[f] ?? f);
  const detailsSet = details !== '' && details !== '-';
  const rawCause =
    flags.length > 0
      ? flagsText + (detailsSet ? ` ${details}` : '')
      : detailsSet && details !== 'via_upstream'
        ? details
        : undefined;
  const has = (f: string) => flags.includes(f);
  const afterStart = details.startsWith('upstream_reset_after_response_started');
  const tls = /TLS_error|SSL|CERTIFICATE/i.test(failureReason) || /tls|ssl|CERTIFICATE/i.test(details);
  if (afterStart && (has('UC') || has('UR') || has('LR') || flags.length === 0)) {
    // The response had started: the status is the target's, the body was cut.
    return { generator: 'target', cause: 'upstream-closed-mid-response', rawCause, phase: 'read-body' };
  }
  if (status === null || status < 500) {
    if (has('DC') || has('DR'))
      return { generator: 'lb', cause: 'client-aborted', rawCause, phase: undefined };
    return { generator: 'target', cause: null, rawCause, phase: undefined };
  }
  if (has('UC') || (has('UR') && /connection_termination/.test(details))) {
    return {
      generator: 'lb',
      cause: tls ? 'tls' : 'upstream-closed-reused-connection',
      rawCause,
      phase: tls ? 'connect' : 'read-header',
    };
  }
  if (has('UF')) {
    const timeout = /timeout|timed out/i.test(failureReason) || /timeout/.test(details);
    return {
      generator: 'lb',
      cause: tls ? 'tls' : timeout ? 'connect-timeout' : 'connect-refused',
      rawCause,
      phase: 'connect',
    };
  }
  if (has('UH') || has('UO') || has('NC') || has('LH'))
    return { generator: 'lb', cause: 'no-healthy-upstream', rawCause, phase: undefined };
  if (has('UT')) return { generator: 'lb', cause: 'response-timeout', rawCause, phase: 'read-header' };
  if (has('UPE')) return { generator: 'lb', cause: 'malformed-response', rawCause, phase: 'read-header' };
  if (has('UR')) return { generator: 'lb', cause: 'unknown', rawCause, phase: 'read-header' };
  if (has('DC') || has('DR')) return { generator: 'lb', cause: 'client-aborted', rawCause, phase: undefined };
  if (flags.length > 0) return { generator: 'lb', cause: 'unknown', rawCause, phase: undefined };
  if (!detailsSet || details === 'via_upstream')
    return { generator: 'target', cause: null, rawCause, phase: undefined };
  return { generator: 'lb', cause: 'unknown', rawCause: details, phase: undefined };
}

/** The values an Envoy access-log line carries, whatever its layout. Unset = undefined or `-`. */
export interface EnvoyFields {
  startTime?: string | number | undefined;
  /** Epoch ms when the start time was already converted (`%START_TIME(%s)%`). */
  startMs?: number | undefined;
  status?: string | number | undefined;
  flags?: string | undefined;
  details?: string | undefined;
  failure?: string | undefined;
  duration?: string | number | undefined;
  upstreamServiceTime?: string | number | undefined;
  method?: string | undefined;
  path?: string | undefined;
  protocol?: string | undefined;
  requestLine?: string | undefined;
  upstreamHost?: string | undefined;
  requestId?: string | undefined;
  client?: string | undefined;
  attempts?: string | number | undefined;
}

const set = (v: string | undefined): string | undefined =>
  v === undefined || v === '-' || v === '' ? undefined : v;

/**
 * `%START_TIME%` as logged: ISO 8601 (the default), a `%START_TIME(...)%` strftime rendering such as
 * `2026/11/24T08:00:00+0000` or `2026-11-24 08:00:00`, or epoch seconds (`%s`, `%s.%3f`) / ms.
 */
function envoyTimeMs(v: string | number | undefined): number {
  if (typeof v === 'number') return jsonTimeMs(v);
  if (v === undefined) return Number.NaN;
  if (/^\d+(?:\.\d+)?$/.test(v)) return jsonTimeMs(Number(v));
  const iso = parseIsoMs(v);
  if (!Number.isNaN(iso)) return iso;
  const m = /^(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)?$/.exec(v);
  if (m === null) return Number.NaN;
  const zone = m[5] === undefined ? 'Z' : m[5].length === 5 ? `${m[5].slice(0, 3)}:${m[5].slice(3)}` : m[5];
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}${zone}`);
}

/** One record from an Envoy line's fields (shared by the text, custom and JSON readers). */
export function envoyRecord(f: EnvoyFields): ParseResult {
  const statusValue = asNumber(f.status);
  if (statusValue === null || !Number.isInteger(statusValue)) return fail('RESPONSE_CODE is not a number');
  const start = f.startMs ?? envoyTimeMs(f.startTime);
  if (Number.isNaN(start)) return fail('START_TIME is missing or not a time');
  const status = statusValue === 0 ? null : statusValue;
  const details = f.details ?? '';
  const c = classifyEnvoy(status, f.flags ?? '-', details, f.failure ?? '');
  const duration = asNumber(f.duration);
  const request = splitRequestLine(set(f.requestLine));
  const method = set(f.method) ?? request.method;
  const path = set(f.path) ?? request.path;
  const protocol = set(f.protocol) ?? request.proto;
  const host = set(f.upstreamHost);
  const attempts = asNumber(f.attempts);
  const client = set(f.client);
  return ok({
    timeMs: start + (duration ?? 0),
    status,
    targetStatus: c.generator === 'target' ? status : null,
    generator: c.generator,
    cause: c.cause,
    rawCause: c.rawCause,
    phase: c.phase,
    target: host ? host.replace(/^tcp:\/\//, '') : undefined,
    method,
    path,
    requestMs: duration,
    targetProcessingMs: asNumber(f.upstreamServiceTime),
    retries: attempts !== null && attempts > 1 ? attempts - 1 : undefined,
    protocol,
    requestLine:
      set(f.requestLine) ??
      (method && path ? `${method} ${path}${protocol ? ` ${protocol}` : ''}` : undefined),
    requestId: set(f.requestId),
    client: client ? client.split(',')[0]!.trim() : undefined,
  });
}

function isNumeric(s: string | undefined): boolean {
  return s !== undefined && /^-?\d+$/.test(s);
}

/** Envoy's default format, and Istio's longer one (told apart by the token after the flags). */
export function parseEnvoyTextLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  if (line.charCodeAt(0) !== 91 /* [ */) return fail('an Envoy text line starts with [START_TIME]');
  const f = tokenize(line);
  if (f === null) return fail('unterminated quoted field (truncated line?)');
  if (f.length < 8) return fail(`${f.length} fields, the Envoy default format has 13`);
  const startMs = parseIsoMs(f[0]!);
  if (Number.isNaN(startMs)) return fail('START_TIME is not ISO 8601');
  if (!isNumeric(f[2])) return fail('RESPONSE_CODE is not a number');
  const istio = !isNumeric(f[4]);
  const base = istio ? 7 : 4;
  return envoyRecord({
    startMs,
    status: f[2],
    flags: f[3],
    details: istio ? f[4] : undefined,
    failure: istio ? f[6] : undefined,
    duration: f[base + 2],
    upstreamServiceTime: f[base + 3],
    client: istio ? (f[base + 12] ?? f[base + 4]) : f[base + 4],
    requestLine: f[1],
    requestId: f[base + 6],
    upstreamHost: f[base + 8],
  });
}

// ---------------------------------------------------------------------------------------------
// Any format string in Envoy's command operators (--envoy-log-format)

/** Which EnvoyFields slot an operator fills (operators not listed are matched and ignored). */
function operatorSlot(name: string, arg: string | undefined): keyof EnvoyFields | undefined {
  const header = (arg ?? '').toUpperCase();
  switch (name) {
    case 'START_TIME':
      return 'startTime';
    case 'RESPONSE_CODE':
      return 'status';
    case 'RESPONSE_FLAGS':
    case 'RESPONSE_FLAGS_LONG':
      return 'flags';
    case 'RESPONSE_CODE_DETAILS':
      return 'details';
    case 'UPSTREAM_TRANSPORT_FAILURE_REASON':
      return 'failure';
    case 'DURATION':
      return 'duration';
    case 'PROTOCOL':
      return 'protocol';
    case 'UPSTREAM_HOST':
    case 'UPSTREAM_REMOTE_ADDRESS':
      return 'upstreamHost';
    case 'UPSTREAM_REQUEST_ATTEMPT_COUNT':
      return 'attempts';
    case 'DOWNSTREAM_REMOTE_ADDRESS':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS':
    case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
      return 'client';
    case 'REQ':
      if (header === ':METHOD') return 'method';
      if (header.includes(':PATH') || header === 'X-ENVOY-ORIGINAL-PATH') return 'path';
      if (header === 'X-REQUEST-ID') return 'requestId';
      if (header === 'X-FORWARDED-FOR') return 'client';
      return undefined;
    case 'RESP':
      return header === 'X-ENVOY-UPSTREAM-SERVICE-TIME' ? 'upstreamServiceTime' : undefined;
    default:
      return undefined;
  }
}

interface EnvoySegment {
  readonly operator: string;
  readonly slot: keyof EnvoyFields | undefined;
  readonly after: string;
}

export interface CompiledEnvoyFormat {
  readonly prefix: string;
  readonly segments: readonly EnvoySegment[];
}

const OPERATOR = /%([A-Z][A-Z0-9_]*)(?:\(([^)]*)\))?(?::\d+)?%/g;

/** Compiles an Envoy format string; throws KAP_USAGE naming the flag when it cannot be read. */
export function compileEnvoyFormat(format: string, field = '--envoy-log-format'): CompiledEnvoyFormat {
  const text = format.endsWith('\\n') ? format.slice(0, -2) : format.replace(/\n$/, '');
  const parts: Array<{ operator: string; arg: string | undefined; start: number; end: number }> = [];
  for (const m of text.matchAll(OPERATOR)) {
    parts.push({ operator: m[1]!, arg: m[2], start: m.index, end: m.index + m[0].length });
  }
  const usage = (message: string) => new KeepaliveParityError('KAP_USAGE', message, { field });
  if (parts.length === 0) throw usage(`the Envoy format has no %OPERATOR%: ${JSON.stringify(format)}`);
  const segments: EnvoySegment[] = parts.map((p, i) => ({
    operator: p.arg === undefined ? p.operator : `${p.operator}(${p.arg})`,
    slot: operatorSlot(p.operator, p.arg),
    after: text.slice(p.end, i + 1 < parts.length ? parts[i + 1]!.start : text.length).replace(/\\"/g, '"'),
  }));
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i]!.after === '') {
      throw usage(
        `the Envoy format has %${segments[i]!.operator}% and %${segments[i + 1]!.operator}% with nothing between them, so they cannot be told apart`,
      );
    }
  }
  const slots = new Set(segments.map((s) => s.slot));
  if (!slots.has('status')) throw usage('the Envoy format has no %RESPONSE_CODE%: the status cannot be read');
  if (!slots.has('startTime')) throw usage('the Envoy format has no %START_TIME%: the time cannot be read');
  return { prefix: text.slice(0, parts[0]!.start), segments };
}

/** Splits a line by a compiled Envoy format into its fields; a failure reason when it does not match. */
export function matchEnvoyLine(compiled: CompiledEnvoyFormat, line: string): EnvoyFields | string {
  if (!line.startsWith(compiled.prefix)) return `does not start with ${JSON.stringify(compiled.prefix)}`;
  const fields: EnvoyFields = {};
  let p = compiled.prefix.length;
  const last = compiled.segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = compiled.segments[i]!;
    let value: string;
    if (seg.after === '') {
      value = line.slice(p);
    } else {
      const k = line.indexOf(seg.after, p);
      if (k < 0) {
        if (i === last && seg.after.trim() === '') value = line.slice(p);
        else return `no ${JSON.stringify(seg.after)} after %${seg.operator}% (truncated line?)`;
      } else {
        value = line.slice(p, k);
        p = k + seg.after.length;
      }
    }
    if (seg.slot === undefined) continue;
    if (fields[seg.slot] === undefined || fields[seg.slot] === '-') {
      (fields as Record<string, string>)[seg.slot] = value;
    }
  }
  return fields;
}

function parserFor(compiled: CompiledEnvoyFormat): (line: string) => ParseResult {
  return (line) => {
    if (line.trim() === '') return null;
    const fields = matchEnvoyLine(compiled, line);
    return typeof fields === 'string' ? fail(fields) : envoyRecord(fields);
  };
}

/** A log format for an Envoy format string (used for `--envoy-log-format`). */
export function envoyFormatString(format: string, id = 'envoy-custom'): LogFormat {
  const parseLine = parserFor(compileEnvoyFormat(format));
  return {
    id,
    summary: `Envoy access log, format '${format}'`,
    detect: (sample) => shareOf(sample, (l) => parseLine(l)?.ok === true),
    parseLine,
  };
}

// ---------------------------------------------------------------------------------------------
// JSON with any keys

/** Normalised key names (lower case, letters and digits only) per field. */
const KEY_NAMES: ReadonlyArray<[keyof EnvoyFields, readonly string[]]> = [
  ['status', ['responsecode', 'status', 'statuscode', 'code', 'httpstatus', 'responsestatus']],
  ['flags', ['responseflags', 'flags', 'responseflagslong']],
  ['details', ['responsecodedetails', 'details', 'responsedetails', 'codedetails']],
  ['failure', ['upstreamtransportfailurereason', 'transportfailurereason', 'upstreamfailurereason']],
  ['startTime', ['starttime', 'timestamp', 'time', 'requeststarttime', 'start']],
  ['duration', ['duration', 'durationms', 'totalduration', 'requestduration']],
  ['upstreamServiceTime', ['upstreamservicetime', 'xenvoyupstreamservicetime', 'upstreamtime']],
  ['method', ['method', 'requestmethod', 'httpmethod']],
  ['path', ['path', 'requestpath', 'xenvoyoriginalpath', 'uri', 'url']],
  ['protocol', ['protocol', 'requestprotocol']],
  ['requestLine', ['fullpath', 'request', 'requestline']],
  ['upstreamHost', ['upstreamhost', 'upstream', 'upstreamaddress', 'upstreamaddr', 'upstreamremoteaddress']],
  ['requestId', ['requestid', 'xrequestid']],
  [
    'client',
    [
      'downstreamremoteaddress',
      'downstreamdirectremoteaddress',
      'clientip',
      'clientaddress',
      'xforwardedfor',
    ],
  ],
  ['attempts', ['upstreamrequestattemptcount', 'attemptcount', 'attempts']],
];

const KEY_INDEX = new Map<string, keyof EnvoyFields>();
for (const [slot, names] of KEY_NAMES) for (const n of names) KEY_INDEX.set(n, slot);

const normaliseKey = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Envoy response flags, short and long names (utility.h), comma-joined. */
const FLAG_VALUE =
  /^(?:UH|UF|UO|NR|URX|NC|DT|DC|LH|UT|LR|UR|UC|DI|FI|RL|UAEX|RLSE|IH|SI|DPE|UPE|UMSDR|RFCF|NFCF|OM|DF|DO|DR|[A-Z][a-zA-Z]+(?:Failure|Termination|Reset|Timeout|Exceeded|Upstream|Found|Injected|Limited))(?:,(?:[A-Z]{2,5}|[A-Z][a-zA-Z]+))*$/;
/** `%RESPONSE_CODE_DETAILS%` values: snake_case, optionally with `{...}`. */
const DETAILS_VALUE =
  /^(?:via_upstream|upstream_reset_(?:before|after)_response_started|upstream_response_timeout|route_not_found|no_healthy_upstream|cluster_not_found|upstream_per_try_timeout|overload_manager|downstream_remote_disconnect|request_overall_timeout|ext_authz_denied|[a-z0-9]+(?:_[a-z0-9]+)+\{)/;

/** What a key's name says, cached (a log repeats the same keys on every line). */
interface KeyInfo {
  readonly slot: keyof EnvoyFields | undefined;
  /** For a key whose name is not a known one: the slot its name hints at, checked with the value's shape. */
  readonly hint: 'status' | 'upstreamHost' | 'client' | 'requestId' | 'duration' | undefined;
}

const keyInfoCache = new Map<string, KeyInfo>();

function keyInfo(key: string): KeyInfo {
  let info = keyInfoCache.get(key);
  if (info === undefined) {
    const name = normaliseKey(key);
    const slot = KEY_INDEX.get(name);
    const hint = /status|code|^rc$|^sc$/.test(name)
      ? 'status'
      : /upstream|backend|^up$/.test(name)
        ? 'upstreamHost'
        : /client|downstream|remote/.test(name)
          ? 'client'
          : /requestid|reqid|^rid$/.test(name)
            ? 'requestId'
            : /duration|latency|^ms$/.test(name)
              ? 'duration'
              : undefined;
    info = { slot, hint };
    if (keyInfoCache.size > 4096) keyInfoCache.clear();
    keyInfoCache.set(JSON.parse(JSON.stringify(key)) as string, info);
  }
  return info;
}

const HOST_PORT = /^\[?[\w.:-]+\]?:\d+$/;

/** The slot an unnamed key's value fills by its shape (Envoy's own value shapes first), if any. */
function shapeSlot(text: string, hint: KeyInfo['hint']): keyof EnvoyFields | undefined {
  const c = text.charCodeAt(0);
  if (c >= 65 && c <= 90 /* A-Z */) {
    if (FLAG_VALUE.test(text)) return 'flags';
    if (/^[A-Z]+ \S+ HTTP\/[\d.]+$/.test(text)) return 'requestLine';
  } else if (c >= 97 && c <= 122 /* a-z */) {
    if (DETAILS_VALUE.test(text)) return 'details';
  } else if (c >= 48 && c <= 57 /* 0-9 */ && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(text)) {
    return 'startTime';
  }
  switch (hint) {
    case 'status':
      return /^(?:0|[1-5]\d\d)$/.test(text) ? 'status' : undefined;
    case 'upstreamHost':
    case 'client':
      return HOST_PORT.test(text) ? hint : undefined;
    case 'duration':
      return /^\d+(\.\d+)?$/.test(text) ? 'duration' : undefined;
    default:
      return hint;
  }
}

/** Reads an Envoy JSON line's fields by key name, then unclaimed keys by their values' shapes. */
export function envoyJsonFields(o: Record<string, unknown>): EnvoyFields {
  const fields: Record<string, unknown> = {};
  const unclaimed: Array<[KeyInfo, string | number]> = [];
  for (const key in o) {
    const value = o[key];
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const info = keyInfo(key);
    if (info.slot !== undefined) {
      if (fields[info.slot] === undefined) fields[info.slot] = value;
    } else if (typeof value === 'string' || info.hint !== undefined) {
      unclaimed.push([info, value]);
    }
  }
  for (const [info, value] of unclaimed) {
    const slot = shapeSlot(String(value), info.hint);
    if (slot !== undefined && fields[slot] === undefined) fields[slot] = value;
  }
  return fields as EnvoyFields;
}

export function parseEnvoyJsonLine(line: string): ParseResult {
  if (line.trim() === '') return null;
  const o = parseJsonObject(line);
  if (o === null) return fail('not a JSON object (truncated?)');
  const fields = envoyJsonFields(o);
  if (fields.status === undefined) return fail('no response code (response_code, responseCode...)');
  return envoyRecord(fields);
}

/** A JSON line that reads as Envoy's: a response code plus flags or code details (by key or shape). */
function looksLikeEnvoyJson(line: string): boolean {
  if (
    !line.trimStart().startsWith('{') ||
    !/flags|details|"(?:UC|UF|UH|UT|URX|NR|UF,URX)"|via_upstream|upstream_reset_/i.test(line)
  ) {
    return false;
  }
  const o = parseJsonObject(line);
  if (o === null) return false;
  const f = envoyJsonFields(o);
  return asNumber(f.status) !== null && (f.flags !== undefined || f.details !== undefined);
}

const ENVOY_TEXT = /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] "[^"]*" \d+ [-A-Z,]+ /;

export const envoyTextFormat: LogFormat = {
  id: 'envoy',
  summary: 'Envoy / Istio default text access log (response flags, UC)',
  detect: (sample) => shareOf(sample, (l) => ENVOY_TEXT.test(l)),
  parseLine: parseEnvoyTextLine,
};

export const envoyJsonFormat: LogFormat = {
  id: 'envoy-json',
  summary: 'Envoy / Istio JSON access log, any keys (response code, flags, code details)',
  detect: (sample) => shareOf(sample, looksLikeEnvoyJson),
  parseLine: parseEnvoyJsonLine,
};
