import type { CauseCode, Generator, LogRecord, ParseResult } from './types.js';

/** Helpers shared by the line parsers. Pure and allocation-light: they run once per log line. */

export function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

export function ok(record: LogRecord): ParseResult {
  return { ok: true, record };
}

/** Set by `closingQuote`: the quoted field it ended holds a backslash-escaped quote. */
let quoteEscaped = false;

/** Index of the quote that closes the one at `open` (not escaped by an odd run of backslashes), or -1. */
function closingQuote(line: string, open: number): number {
  quoteEscaped = false;
  let j = open + 1;
  for (;;) {
    const k = line.indexOf('"', j);
    if (k < 0) return -1;
    let backslashes = 0;
    for (let b = k - 1; b > open && line.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return k;
    quoteEscaped = true;
    j = k + 1;
  }
}

function unescapeQuoted(raw: string): string {
  return raw.replace(/\\(["\\])/g, '$1');
}

/**
 * Splits a line on single spaces, keeping `"quoted strings"` (backslash escapes allowed) and
 * `[bracketed]` fields whole. Quotes and brackets are removed. Runs of spaces count as one.
 * Stops after `maxFields` fields (the rest of the line is the last field, unsplit) when given.
 */
export function tokenize(line: string, maxFields = Number.POSITIVE_INFINITY): string[] | null {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (out.length === maxFields - 1) {
      out.push(line.slice(i));
      return out;
    }
    if (c === 34 /* " */) {
      const k = closingQuote(line, i);
      if (k < 0) return null; // unterminated quote: truncated line
      const raw = line.slice(i + 1, k);
      out.push(quoteEscaped ? unescapeQuoted(raw) : raw);
      i = k + 1;
      continue;
    }
    if (c === 91 /* [ */) {
      const k = line.indexOf(']', i + 1);
      if (k < 0) return null;
      out.push(line.slice(i + 1, k));
      i = k + 1;
      continue;
    }
    let k = i;
    while (k < n) {
      const d = line.charCodeAt(k);
      if (d === 32 || d === 9) break;
      k++;
    }
    out.push(line.slice(i, k));
    i = k;
  }
  return out;
}

/**
 * Where `tokenize` would cut a line, without making the strings: field `i` is
 * `line.slice(FIELD_START[i], FIELD_END[i])` (quotes and brackets excluded), unescaped when
 * `FIELD_ESCAPED[i]` is 1 (`fieldText`). Returns the number of fields (only the first
 * MAX_FIELD_OFFSETS are recorded), or -1 for an unterminated quote or bracket (a truncated line).
 * Shared buffers, valid until the next call: for hot per-line parsers that read a few fields.
 */
export const MAX_FIELD_OFFSETS = 64;
export const FIELD_START = new Int32Array(MAX_FIELD_OFFSETS);
export const FIELD_END = new Int32Array(MAX_FIELD_OFFSETS);
export const FIELD_ESCAPED = new Uint8Array(MAX_FIELD_OFFSETS);

export function tokenizeOffsets(line: string): number {
  const n = line.length;
  // Without a tab, a plain field ends at the next space: V8's indexOf beats a charCodeAt loop.
  const spacesOnly = line.indexOf('\t') < 0;
  let count = 0;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    let start: number;
    let end: number;
    let escaped = 0;
    if (c === 34 /* " */) {
      const k = closingQuote(line, i);
      if (k < 0) return -1;
      escaped = quoteEscaped ? 1 : 0;
      start = i + 1;
      end = k;
      i = k + 1;
    } else if (c === 91 /* [ */) {
      const k = line.indexOf(']', i + 1);
      if (k < 0) return -1;
      start = i + 1;
      end = k;
      i = k + 1;
    } else if (spacesOnly) {
      const k = line.indexOf(' ', i + 1);
      start = i;
      end = k < 0 ? n : k;
      i = end;
    } else {
      let k = i;
      while (k < n) {
        const d = line.charCodeAt(k);
        if (d === 32 || d === 9) break;
        k++;
      }
      start = i;
      end = k;
      i = k;
    }
    if (count < MAX_FIELD_OFFSETS) {
      FIELD_START[count] = start;
      FIELD_END[count] = end;
      FIELD_ESCAPED[count] = escaped;
    }
    count++;
  }
  return count;
}

/** Field `i` of the last `tokenizeOffsets(line)` as `tokenize` gives it (undefined past the end). */
export function fieldText(line: string, count: number, i: number): string | undefined {
  if (i >= count || i >= MAX_FIELD_OFFSETS) return undefined;
  const raw = line.slice(FIELD_START[i]!, FIELD_END[i]!);
  return FIELD_ESCAPED[i] === 1 ? unescapeQuoted(raw) : raw;
}

const minuteCache = new Map<string, number>();
/** The last minute `parseIsoMs` computed (`YYYY-MM-DDTHH:MM`, 16 characters; never empty once set). */
let lastMinutePrefix = '\u0000never\u0000';
let lastMinuteMs = 0;

function minuteEpoch(key: string, y: number, mo: number, d: number, h: number, mi: number): number {
  let v = minuteCache.get(key);
  if (v === undefined) {
    v = Date.UTC(y, mo - 1, d, h, mi);
    if (minuteCache.size > 4096) minuteCache.clear();
    // A fresh copy of the key: a slice would keep the whole input chunk it came from alive.
    minuteCache.set(JSON.parse(JSON.stringify(key)) as string, v);
  }
  return v;
}

function digits(s: string, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/** ISO 8601 `2024-01-15T10:00:00.123456Z` (fast path for `Z`), else Date.parse. NaN if invalid. */
export function parseIsoMs(s: string): number {
  return isoMsAt(s, 0, s.length);
}

/** `parseIsoMs(line.slice(start, end))`, without the slice on the fast path. */
export function isoMsAt(line: string, start: number, end: number): number {
  const n = end - start;
  if (n >= 20 && line.charCodeAt(start + 10) === 84 /* T */ && line.charCodeAt(end - 1) === 90 /* Z */) {
    // Consecutive lines share their minute: reuse the last minute's epoch when the first 16
    // characters match (no slice, no map lookup on the hot path).
    let base: number;
    if (line.startsWith(lastMinutePrefix, start)) base = lastMinuteMs;
    else {
      const y = digits(line, start, 4);
      const mo = digits(line, start + 5, 2);
      const d = digits(line, start + 8, 2);
      const h = digits(line, start + 11, 2);
      const mi = digits(line, start + 14, 2);
      if (Number.isNaN(y + mo + d + h + mi) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) {
        return Number.NaN;
      }
      const key = line.slice(start, start + 16);
      base = minuteEpoch(key, y, mo, d, h, mi);
      lastMinutePrefix = JSON.parse(JSON.stringify(key)) as string;
      lastMinuteMs = base;
    }
    const sec = digits(line, start + 17, 2);
    if (Number.isNaN(sec)) return Number.NaN;
    let frac = 0;
    if (line.charCodeAt(start + 19) === 46 /* . */) {
      const fracDigits = Math.min(3, n - 21);
      frac = digits(line, start + 20, fracDigits);
      if (fracDigits === 1) frac *= 100;
      else if (fracDigits === 2) frac *= 10;
      if (Number.isNaN(frac)) return Number.NaN;
    }
    return base + sec * 1000 + frac;
  }
  const v = Date.parse(start === 0 && end === line.length ? line : line.slice(start, end));
  return v;
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/**
 * `10/Oct/2000:13:55:36 -0700` (nginx `$time_local`) or `24/Nov/2026:08:12:38.123` (HAProxy, local
 * time without zone: read as UTC). NaN if invalid.
 */
export function parseClfTimeMs(s: string): number {
  const d = digits(s, 0, 2);
  const mo = MONTHS[s.slice(3, 6)];
  const y = digits(s, 7, 4);
  const h = digits(s, 12, 2);
  const mi = digits(s, 15, 2);
  const sec = digits(s, 18, 2);
  if (mo === undefined || Number.isNaN(d + y + h + mi + sec)) return Number.NaN;
  let ms = 0;
  let rest = 20;
  if (s.charCodeAt(20) === 46) {
    let end = 21;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    ms = Math.round(Number(`0.${s.slice(21, end)}`) * 1000);
    rest = end;
  }
  let offsetMin = 0;
  const zone = s.slice(rest).trim();
  if (zone.length === 5 && (zone[0] === '+' || zone[0] === '-')) {
    const zh = digits(zone, 1, 2);
    const zm = digits(zone, 3, 2);
    if (Number.isNaN(zh + zm)) return Number.NaN;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  return minuteEpoch(s.slice(0, 17), y, mo, d, h, mi) + sec * 1000 + ms - offsetMin * 60_000;
}

/** Seconds as text (`0.004`, `-1`, `-`) → integer ms, null for `-`/-1/invalid. */
export function secondsToMs(text: string | undefined): number | null {
  if (text === undefined || text === '-' || text === '') return null;
  // Fast path for what proxies write (`0.004`, `12.5`): digits, a dot, 1 to 3 decimals, read as
  // integer milliseconds without `Number()`; the same value as the general path below.
  const n = text.length;
  const dot = text.indexOf('.');
  if (dot > 0 && dot < 10 && n - dot - 1 >= 1 && n - dot - 1 <= 3) {
    let whole = 0;
    let i = 0;
    for (; i < dot; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      whole = whole * 10 + c;
    }
    if (i === dot) {
      let frac = 0;
      for (i = dot + 1; i < n; i++) {
        const c = text.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        frac = frac * 10 + c;
      }
      if (i === n) {
        const digits = n - dot - 1;
        return whole * 1000 + (digits === 3 ? frac : digits === 2 ? frac * 10 : frac * 100);
      }
    }
  }
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) return null;
  return Math.round(v * 1000);
}

/** `line[start, end)` as an unsigned integer of 1 to 9 digits, or -1 when it is anything else. */
export function smallIntAt(line: string, start: number, end: number): number {
  if (end <= start || end - start > 9) return -1;
  let v = 0;
  for (let k = start; k < end; k++) {
    const c = line.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `intOrNull(line.slice(start, end))`, without the slice for plain digits. */
export function intAt(line: string, start: number, end: number): number | null {
  const v = smallIntAt(line, start, end);
  return v >= 0 ? v : intOrNull(line.slice(start, end));
}

export function intOrNull(text: string | undefined): number | null {
  if (text === undefined || text === '-' || text === '') return null;
  const v = Number(text);
  return Number.isInteger(v) ? v : null;
}

/** `GET /path HTTP/1.1` → method and path (path without scheme/host when absolute). */
export function splitRequestLine(request: string | undefined): {
  method?: string;
  path?: string;
  proto?: string;
} {
  if (!request || request === '-') return {};
  const first = request.indexOf(' ');
  if (first < 0) return { method: request };
  const last = request.lastIndexOf(' ');
  const method = request.slice(0, first);
  let path = last > first ? request.slice(first + 1, last) : request.slice(first + 1);
  const proto = last > first ? request.slice(last + 1) : undefined;
  const scheme = path.indexOf('://');
  if (scheme > 0 && scheme < 8) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  return proto === undefined ? { method, path } : { method, path, proto };
}

/** Reads a dotted path from a parsed JSON object. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** First defined value among several dotted paths. */
export function pick(obj: unknown, ...paths: string[]): unknown {
  for (const p of paths) {
    const v = getPath(obj, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

export function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v !== '' && v !== '-') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Parses a line as a JSON object; null if it is not one. */
export function parseJsonObject(line: string): Record<string, unknown> | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    const v = JSON.parse(t) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Time from a JSON value: ISO text, epoch seconds (float) or epoch ms. NaN if none. */
export function jsonTimeMs(v: unknown): number {
  if (typeof v === 'string') return parseIsoMs(v);
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000;
  return Number.NaN;
}

/** Share of sample lines for which `test` holds (0..1), ignoring blank lines. */
export function shareOf(sampleLines: readonly string[], test: (line: string) => boolean): number {
  let total = 0;
  let hits = 0;
  for (const line of sampleLines) {
    if (line.trim() === '') continue;
    total++;
    if (test(line)) hits++;
  }
  return total === 0 ? 0 : hits / total;
}

/**
 * For formats whose lines sit among unrelated ones (a Go program's log, H2O's error log): the share
 * of matching lines, but at least `floor` as soon as one line matches (below formats that match every
 * line, above nothing).
 */
export function shareWithFloor(
  sampleLines: readonly string[],
  test: (line: string) => boolean,
  floor = 0.6,
): number {
  const share = shareOf(sampleLines, test);
  return share === 0 ? 0 : Math.max(floor, share);
}

/** A record for a 5xx the proxy generated itself. */
export function lbRecord(
  base: Omit<LogRecord, 'generator' | 'cause' | 'targetStatus'> & { targetStatus?: number | null },
  cause: CauseCode,
  generator: Generator = 'lb',
): LogRecord {
  return { targetStatus: null, ...base, generator, cause };
}
