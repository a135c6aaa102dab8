import type { ErrorLocation } from '../errors.js';
import { type Duration, durationError, MAX_DURATION_MS } from './duration.js';

/**
 * Every duration syntax a reader meets. A parser is always told which one its source uses:
 *
 * | syntax | examples | bare number means |
 * |---|---|---|
 * | `plain` | `65s`, `1500ms`, `2m`, `1h`, `0.5s` | the `defaultUnit` given, else an error asking for the unit |
 * | `nginx` | `75s`, `1h30m`, `"1h 30m"`, `500ms`, `1d`, `1w`, `1M`, `1y` | seconds |
 * | `haproxy` | `2s`, `500`, `1500us`, `1m`, `1d` | milliseconds |
 * | `protobuf` | `"3600s"`, `"0.5s"` (and `{seconds, nanos}` through {@link parseProtobufDurationValue}) | error |
 * | `go` | `1m30s`, `500ms`, `1.5h`, `0` | `defaultUnit` (Traefik's paerser: seconds), else an error |
 * | `caddy` | Go syntax plus `d` (`1d12h`) | `defaultUnit`, else an error |
 * | `iso8601` | `PT60S`, `PT1M30S`, `P1DT2H`, `PT0.5S` | error |
 * | `integer-seconds` | `60` (ALB, gunicorn, uvicorn, ingress-nginx) | seconds |
 * | `integer-milliseconds` | `5000` (Node) | milliseconds |
 * | `apache` | `5`, `500ms` (Apache httpd time-interval) | seconds |
 * | `timespan` | `00:02:10`, `1.02:00:00`, `00:00:05.5` (.NET TimeSpan, IIS) | error |
 */
export type DurationSyntax =
  | 'plain'
  | 'nginx'
  | 'haproxy'
  | 'protobuf'
  | 'go'
  | 'caddy'
  | 'iso8601'
  | 'integer-seconds'
  | 'integer-milliseconds'
  | 'apache'
  | 'timespan';

export const DURATION_SYNTAXES: readonly DurationSyntax[] = [
  'plain',
  'nginx',
  'haproxy',
  'protobuf',
  'go',
  'caddy',
  'iso8601',
  'integer-seconds',
  'integer-milliseconds',
  'apache',
  'timespan',
];

/** Units a bare number can be declared in (`--backend-unit s`). */
export type DurationUnit = 'ms' | 's' | 'm' | 'h';
export const DURATION_UNITS: readonly DurationUnit[] = ['ms', 's', 'm', 'h'];

export interface ParseDurationOptions {
  readonly syntax: DurationSyntax;
  /** Unit of a bare number, for syntaxes whose bare-number meaning depends on the source. */
  readonly defaultUnit?: DurationUnit | undefined;
  /** Where the text came from; used in error messages. */
  readonly location?: ErrorLocation | undefined;
}

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;
const MIN = 60n * S;
const H = 60n * MIN;
const D = 24n * H;

const UNIT_NS: Record<string, bigint> = {
  ns: NS,
  us: US,
  µs: US,
  μs: US,
  ms: MS,
  s: S,
  m: MIN,
  h: H,
  d: D,
  w: 7n * D,
  M: 30n * D,
  y: 365n * D,
};

interface TokenGrammar {
  readonly units: readonly string[];
  readonly compound: boolean;
  readonly fractions: boolean;
  /** nginx: units must appear largest first, each at most once; spaces allowed between parts. */
  readonly ordered: boolean;
  /** Unit of a bare number, or `null` when the syntax has none (then `defaultUnit` or an error). */
  readonly bareUnit: string | null;
  /** Go accepts a lone `0` without a unit. */
  readonly bareZero: boolean;
}

const GRAMMARS: Partial<Record<DurationSyntax, TokenGrammar>> = {
  plain: {
    units: ['ms', 's', 'm', 'h'],
    compound: false,
    fractions: true,
    ordered: false,
    bareUnit: null,
    bareZero: false,
  },
  nginx: {
    units: ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'],
    compound: true,
    fractions: false,
    ordered: true,
    bareUnit: 's',
    bareZero: false,
  },
  haproxy: {
    units: ['us', 'ms', 's', 'm', 'h', 'd'],
    compound: false,
    fractions: false,
    ordered: false,
    bareUnit: 'ms',
    bareZero: false,
  },
  go: {
    units: ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'],
    compound: true,
    fractions: true,
    ordered: false,
    bareUnit: null,
    bareZero: true,
  },
  caddy: {
    units: ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd'],
    compound: true,
    fractions: true,
    ordered: false,
    bareUnit: null,
    bareZero: true,
  },
  'integer-seconds': {
    units: [],
    compound: false,
    fractions: false,
    ordered: false,
    bareUnit: 's',
    bareZero: false,
  },
  'integer-milliseconds': {
    units: [],
    compound: false,
    fractions: false,
    ordered: false,
    bareUnit: 'ms',
    bareZero: false,
  },
  apache: {
    units: ['ms'],
    compound: false,
    fractions: false,
    ordered: false,
    bareUnit: 's',
    bareZero: false,
  },
};

/** Longest unit names first so `ms` is not read as `m` followed by garbage. */
function unitAt(text: string, index: number, units: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const unit of units) {
    if (text.startsWith(unit, index) && (best === undefined || unit.length > best.length)) best = unit;
  }
  return best;
}

function toDuration(totalNs: bigint, text: string, location: ErrorLocation | undefined): Duration {
  // Sub-millisecond remainders round up: a non-zero timeout never becomes 0 ms.
  const ms = (totalNs + MS - 1n) / MS;
  if (ms > BigInt(MAX_DURATION_MS)) throw durationError(text, 'value is too large (overflow)', location);
  return { ms: Number(ms), text };
}

function scaled(integer: string, fraction: string, unitNs: bigint): bigint {
  let total = BigInt(integer || '0') * unitNs;
  if (fraction) {
    const denominator = 10n ** BigInt(fraction.length);
    const numerator = BigInt(fraction) * unitNs;
    total += (numerator + denominator - 1n) / denominator;
  }
  return total;
}

function commonChecks(raw: string, location: ErrorLocation | undefined): string {
  const text = raw.trim();
  if (text === '') throw durationError(raw, 'the value is empty', location);
  if (text.startsWith('-')) throw durationError(raw, 'negative durations are not allowed', location);
  if (/^[+]?(nan|infinity|inf)$/i.test(text)) throw durationError(raw, 'not a number', location);
  return text;
}

function parseTokens(
  raw: string,
  syntax: DurationSyntax,
  grammar: TokenGrammar,
  options: ParseDurationOptions,
): Duration {
  const location = options.location;
  const text = commonChecks(raw, location);
  const body = syntax === 'go' || syntax === 'caddy' ? text.replace(/^\+/, '') : text;
  let index = 0;
  let totalNs = 0n;
  let parts = 0;
  let lastRank = -1;
  const seen = new Set<string>();
  while (index < body.length) {
    if (grammar.ordered && parts > 0) {
      while (body[index] === ' ') index++;
    }
    const numberMatch = /^(\d*)(?:\.(\d*))?/.exec(body.slice(index));
    const integer = numberMatch?.[1] ?? '';
    const fraction = numberMatch?.[2];
    if (!integer && !fraction) {
      const reason = parts === 0 ? 'not a number' : `unexpected text ${JSON.stringify(body.slice(index))}`;
      throw durationError(raw, reason, location);
    }
    if (fraction !== undefined && !grammar.fractions) {
      throw durationError(raw, `${syntaxLabel(syntax)} does not accept fractions`, location);
    }
    if (integer.length > 20) throw durationError(raw, 'value is too large (overflow)', location);
    index += numberMatch![0].length;
    const unit = unitAt(body, index, grammar.units);
    if (unit === undefined) {
      const rest = body.slice(index);
      if (rest !== '' && /^[A-Za-zµμ]/.test(rest)) {
        const word = /^[A-Za-zµμ]+/.exec(rest)![0];
        const expected = grammar.units.length
          ? ` (expected ${grammar.units.filter((u) => u !== 'µs' && u !== 'μs').join(', ')})`
          : '';
        throw durationError(raw, `unknown unit ${JSON.stringify(word)}${expected}`, location);
      }
      if (rest !== '') throw durationError(raw, `unexpected text ${JSON.stringify(rest)}`, location);
      if (parts > 0) throw durationError(raw, 'a number without a unit follows the other parts', location);
      // A bare number.
      const bare = grammar.bareUnit ?? options.defaultUnit ?? null;
      if (bare === null) {
        if (
          grammar.bareZero &&
          /^0*(\.0*)?$/.test(integer + (fraction ?? '')) &&
          integer + (fraction ?? '') !== ''
        ) {
          return { ms: 0, text: raw };
        }
        throw durationError(
          raw,
          `a bare number has no unit here; state the unit (for example ${integer || '0'}s or ${integer || '0'}ms, or give the unit option)`,
          location,
        );
      }
      totalNs += scaled(integer, fraction ?? '', UNIT_NS[bare]!);
      parts++;
      break;
    }
    const word = /^[A-Za-zµμ]+/.exec(body.slice(index))![0];
    // `65sx`: letters run on past the unit, so they do not form a unit (a compound's next part
    // always starts with a digit).
    if (word !== unit) {
      throw durationError(
        raw,
        `unknown unit ${JSON.stringify(word)} (expected ${grammar.units.filter((u) => u !== 'µs' && u !== 'μs').join(', ')})`,
        location,
      );
    }
    index += unit.length;
    if (grammar.ordered) {
      const rank = grammar.units.indexOf(unit);
      if (seen.has(unit) || rank < lastRank) {
        throw durationError(
          raw,
          `${syntaxLabel(syntax)} units must go from largest to smallest, each once`,
          location,
        );
      }
      seen.add(unit);
      lastRank = rank;
    }
    totalNs += scaled(integer, fraction ?? '', UNIT_NS[unit]!);
    parts++;
    if (!grammar.compound && index < body.length) {
      throw durationError(raw, `unexpected text ${JSON.stringify(body.slice(index))}`, location);
    }
  }
  return toDuration(totalNs, raw, location);
}

function syntaxLabel(syntax: DurationSyntax): string {
  switch (syntax) {
    case 'nginx':
      return 'nginx time';
    case 'haproxy':
      return 'HAProxy time';
    case 'go':
      return 'a Go duration';
    case 'caddy':
      return 'a Caddy duration';
    case 'integer-seconds':
      return 'an integer number of seconds';
    case 'integer-milliseconds':
      return 'an integer number of milliseconds';
    default:
      return `${syntax} syntax`;
  }
}

function parseProtobufString(raw: string, options: ParseDurationOptions): Duration {
  const text = commonChecks(raw, options.location);
  const match = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) {
    const reason = /^\d+(\.\d+)?$/.test(text)
      ? 'a protobuf Duration string needs the "s" suffix (for example "3600s")'
      : 'expected a protobuf Duration such as "3600s" or "0.5s" (seconds with up to 9 decimals)';
    throw durationError(raw, reason, options.location);
  }
  return toDuration(scaled(match[1]!, match[2] ?? '', S), raw, options.location);
}

function parseIso8601(raw: string, options: ParseDurationOptions): Duration {
  const text = commonChecks(raw, options.location);
  const match =
    /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i.exec(
      text,
    );
  if (!match || text.toUpperCase() === 'P' || /T$/i.test(text)) {
    const reason = /^P\d+[YM]/i.test(text)
      ? 'years and months have no fixed length; use days, hours, minutes or seconds'
      : 'expected an ISO-8601 duration such as PT60S or PT1M30S';
    throw durationError(raw, reason, options.location);
  }
  const units = [7n * D, D, H, MIN, S];
  let totalNs = 0n;
  for (let i = 0; i < units.length; i++) {
    const part = match[i + 1];
    if (part === undefined) continue;
    const [integer, fraction] = part.replace(',', '.').split('.');
    totalNs += scaled(integer ?? '0', fraction ?? '', units[i]!);
  }
  return toDuration(totalNs, raw, options.location);
}

function parseTimeSpan(raw: string, options: ParseDurationOptions): Duration {
  const text = commonChecks(raw, options.location);
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
  if (!match)
    throw durationError(raw, 'expected a TimeSpan such as 00:02:10 or 1.00:00:00', options.location);
  const [, days, hours, minutes, seconds, fraction] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) {
    throw durationError(raw, 'minutes and seconds must be below 60', options.location);
  }
  const totalNs =
    BigInt(days ?? '0') * D +
    BigInt(hours!) * H +
    BigInt(minutes!) * MIN +
    scaled(seconds!, fraction ?? '', S);
  return toDuration(totalNs, raw, options.location);
}

/**
 * Parses a duration written in the given syntax. Throws a `KAP_DURATION_INVALID` error that quotes
 * the input for empty, negative, NaN, overflowing, unit-less (where the unit is unknown) or
 * trailing-garbage values.
 */
export function parseDuration(raw: string, options: ParseDurationOptions): Duration {
  switch (options.syntax) {
    case 'protobuf':
      return parseProtobufString(raw, options);
    case 'iso8601':
      return parseIso8601(raw, options);
    case 'timespan':
      return parseTimeSpan(raw, options);
    default: {
      const grammar = GRAMMARS[options.syntax];
      if (!grammar)
        throw durationError(
          raw,
          `unknown duration syntax ${JSON.stringify(options.syntax)}`,
          options.location,
        );
      return parseTokens(raw, options.syntax, grammar, options);
    }
  }
}

/**
 * Reads a protobuf `google.protobuf.Duration` as it appears in Envoy YAML/JSON: either the string
 * form (`"3600s"`) or the object form (`{seconds: 3600, nanos: 0}`).
 */
export function parseProtobufDurationValue(
  value: unknown,
  options: Omit<ParseDurationOptions, 'syntax'> = {},
): Duration {
  const opts: ParseDurationOptions = { ...options, syntax: 'protobuf' };
  if (typeof value === 'string') return parseProtobufString(value, opts);
  const text = JSON.stringify(value) ?? String(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw durationError(
      text,
      'expected a protobuf Duration string ("3600s") or an object {seconds, nanos}',
      options.location,
    );
  }
  const record = value as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((k) => k !== 'seconds' && k !== 'nanos');
  if (unknownKeys.length > 0)
    throw durationError(text, `unexpected field ${JSON.stringify(unknownKeys[0])}`, options.location);
  const seconds = record.seconds ?? 0;
  const nanos = record.nanos ?? 0;
  const asInteger = (v: unknown, name: string): bigint => {
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
    throw durationError(text, `${name} must be an integer`, options.location);
  };
  const s = asInteger(seconds, 'seconds');
  const n = asInteger(nanos, 'nanos');
  if (s < 0n || n < 0n) throw durationError(text, 'negative durations are not allowed', options.location);
  if (n > 999_999_999n) throw durationError(text, 'nanos must be below 1000000000', options.location);
  return toDuration(s * S + n, text, options.location);
}
