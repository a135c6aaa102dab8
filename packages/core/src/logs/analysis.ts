import { appendJoin, emptyJoinColumns, type JoinColumns, offsetJoinLines, pushJoin } from './join-store.js';
import type { CauseCode, Generator, LogFormat, LogRecord } from './types.js';

/**
 * The pure diagnosis engine. An `LogAnalyzer` consumes lines of one input at a time and keeps only
 * bounded aggregates (counts, histograms, a per-minute series, a few examples); `toPartial()` gives a
 * serialisable `PartialAnalysis` that can be merged with others (one per file or worker) and turned
 * into a `Diagnosis` (verdict, reasons, idle-gap correlation, keep-alive estimate) by `diagnose()`.
 */

export type LogVerdict = 'keepalive-race' | 'not-this-trap' | 'inconclusive';

export interface LineRef {
  readonly file: string;
  readonly line: number;
}

export interface Example extends LineRef {
  readonly text: string;
}

export interface MalformedSample extends Example {
  readonly reason: string;
}

/** Idle-gap buckets (ms): index 0 is "connection still busy" (negative gap). */
export const GAP_BUCKET_EDGES_MS: readonly number[] = [
  0, 100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000,
];

/** Per bucket: [requests, raceCandidates (LB-generated 502 / Envoy UC), lb5xx]. */
export type GapBucketCounts = [number, number, number];

export type { JoinRecord } from './join-store.js';

/** FNV-1a, 32 bits; undefined for a missing or `-` value. */
export function joinKey(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '-') return undefined;
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The ip of `ip`, `ip:port` or `[v6]:port` (nginx's error log `client:` has no port). */
export function ipOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}

export interface MinuteCounts {
  requests: number;
  lb5xx: number;
  target5xx: number;
  raceCandidates: number;
  upstreamErrors: number;
}

/** Serialisable, mergeable aggregates of some inputs. */
export interface PartialAnalysis {
  formats: Record<string, number>;
  /** format id → request lines (not error-log events) it gave. */
  requestFormats: Record<string, number>;
  lines: number;
  requests: number;
  skippedLines: number;
  /** Parsed lines outside the --since/--until window (not analysed). */
  outsideWindow: number;
  malformedLines: number;
  malformedSamples: MalformedSample[];
  /** `generator|status|cause` → count, for requests with status >= 500. */
  counts5xx: Record<string, number>;
  /** `1xx`..`5xx`, `none` → count of requests. */
  statusClasses: Record<string, number>;
  /** cause → count of upstream-error events (nginx error.log, Caddy error logger). */
  upstreamErrors: Record<string, number>;
  /** Requests that succeeded only after a retried upstream error (nginx `502, 200`). */
  retriedUpstreamErrors: number;
  /** LB 5xx whose upstream protocol is gRPC / HTTP/2 (out of the trap's scope). */
  outOfScopeLb5xx: number;
  /** `key` → first examples (key = counts5xx key, or `event|cause`, or `retried`). */
  examples: Record<string, Example[]>;
  /** minute (epoch ms / 60000) → counts. */
  minutes: Record<string, MinuteCounts>;
  gapBuckets: GapBucketCounts[];
  /** target → gap buckets (bounded: MAX_TARGETS, then `(other)`). */
  targetGaps: Record<string, GapBucketCounts[]>;
  /** Fine log-scale histogram of idle gaps before race candidates: index → count. */
  raceGapFine: Record<string, number>;
  /** Same fine histogram for all requests, to compare traffic with failures. */
  allGapFine: Record<string, number>;
  /** Same fine histogram for target-generated 5xx (do they sit where the race's failures sit?). */
  targetGapFine: Record<string, number>;
  /** phase → count of failures that name it (error-log events and access-log 5xx). */
  phases: Record<string, number>;
  /** Requests whose response was cut after its header (status below 500: the target's, already sent). */
  midResponseRequests: number;
  /** Failures kept for the per-request join (see JoinRecord). */
  joinRequests: JoinColumns;
  joinEvents: JoinColumns;
  /** Failures not kept because the join lists were full (counted, never silently lost). */
  joinOverflow: number;
  /**
   * Error-log input → [first, last, last seen, ordered (1/0)] time of any of its lines. An error log
   * whose lines go back in time by more than ERROR_LOG_DISORDER_MS is a compilation of excerpts,
   * not one continuous log, so it covers no period.
   */
  errorLogSpans: Record<string, [number, number, number, number]>;
  firstTimeMs: number | null;
  lastTimeMs: number | null;
  truncatedInputs: Array<{ file: string; reason: string }>;
  unreadableInputs: Array<{ file: string; reason: string }>;
  /**
   * Only from an analyzer with `deferFirstGaps` (one piece of a file read in pieces): the first request
   * to each target, whose gap depends on the pieces before (`[target, startMs, flags]`, flags: 1 race
   * candidate, 2 LB 5xx, 4 target 5xx), and when each target's last request finished. `closeOpenGaps`
   * counts those gaps, piece after piece, and removes both fields.
   */
  openGaps?: Array<[string, number, number]>;
  gapFinishes?: Array<[string, number, number]>;
}

/** When a target's last request finished, and when that request began (ms). */
export type GapFinish = readonly [finishMs: number, startMs: number];

const MAX_EXAMPLES_PER_KEY = 3;
const MAX_MALFORMED_SAMPLES = 10;
const MAX_EXAMPLE_CHARS = 400;
const MAX_TARGETS = 1000;
const MAX_GAP_STATE_TARGETS = 100_000;
/** The gap key of lines that name no upstream, for formats with `gapsWithoutTarget`. */
const ALL_UPSTREAMS = '(all upstreams)';
/** Per kind; a failure is a few hundred bytes, so the join costs at most a few tens of MB. */
export const MAX_JOIN_RECORDS = 50_000;
/** nginx workers each stamp lines with their own cached second: a few seconds out of order is normal. */
export const ERROR_LOG_DISORDER_MS = 5000;
/** Fine histogram resolution: 16 buckets per doubling (about 4.4 % wide). */
const FINE_PER_OCTAVE = 16;

export function emptyPartial(): PartialAnalysis {
  return {
    formats: {},
    requestFormats: {},
    lines: 0,
    requests: 0,
    skippedLines: 0,
    outsideWindow: 0,
    malformedLines: 0,
    malformedSamples: [],
    counts5xx: {},
    statusClasses: {},
    upstreamErrors: {},
    retriedUpstreamErrors: 0,
    outOfScopeLb5xx: 0,
    examples: {},
    minutes: {},
    gapBuckets: GAP_BUCKET_EDGES_MS.map(() => [0, 0, 0] as GapBucketCounts).concat([[0, 0, 0]]),
    targetGaps: {},
    raceGapFine: {},
    allGapFine: {},
    targetGapFine: {},
    phases: {},
    midResponseRequests: 0,
    joinRequests: emptyJoinColumns(),
    joinEvents: emptyJoinColumns(),
    joinOverflow: 0,
    errorLogSpans: {},
    firstTimeMs: null,
    lastTimeMs: null,
    truncatedInputs: [],
    unreadableInputs: [],
  };
}

export function countKey(generator: Generator, status: number | null, cause: CauseCode | null): string {
  return `${generator}|${status ?? '-'}|${cause ?? '-'}`;
}

export function parseCountKey(key: string): {
  generator: Generator;
  status: number | null;
  cause: CauseCode | null;
} {
  const [g, s, c] = key.split('|');
  return {
    generator: g as Generator,
    status: s === '-' ? null : Number(s),
    cause: c === '-' ? null : (c as CauseCode),
  };
}

/** An LB-generated failure that fits the race: 502 with no other cause, or any "closed reused connection". */
export function isRaceCandidate(r: Pick<LogRecord, 'generator' | 'status' | 'cause'>): boolean {
  if (r.generator !== 'lb') return false;
  if (r.cause === 'upstream-closed-reused-connection') return true;
  return r.status === 502 && (r.cause === 'unknown' || r.cause === null);
}

function gapBucketIndex(gapMs: number): number {
  if (gapMs < 0) return 0;
  let i = 0;
  while (i < GAP_BUCKET_EDGES_MS.length && gapMs >= GAP_BUCKET_EDGES_MS[i]!) i++;
  return i;
}

function fineIndex(gapMs: number): number {
  return Math.floor(Math.log2(Math.max(0, gapMs) + 1) * FINE_PER_OCTAVE);
}

/** Lower edge (ms) of a fine histogram bucket. */
export function fineLowerMs(index: number): number {
  return 2 ** (index / FINE_PER_OCTAVE) - 1;
}

/** Constant keys (a template string per line would make a new string to hash for every request). */
const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

function statusClass(status: number | null): string {
  if (status === null) return 'none';
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? STATUS_CLASSES[c]! : 'other';
}

/** The `targetGaps` entry of a target (`(other)` once MAX_TARGETS targets have one). */
function targetBucketsOf(p: PartialAnalysis, target: string): GapBucketCounts[] {
  let perTarget = p.targetGaps[target];
  if (perTarget === undefined) {
    const key = Object.keys(p.targetGaps).length < MAX_TARGETS ? detach(target) : '(other)';
    perTarget = p.targetGaps[key];
    if (perTarget === undefined) {
      perTarget = p.gapBuckets.map(() => [0, 0, 0] as GapBucketCounts);
      p.targetGaps[key] = perTarget;
    }
  }
  return perTarget;
}

/** Counts one idle gap in the buckets, the target's buckets and the fine histograms. */
function countGap(
  p: PartialAnalysis,
  perTarget: GapBucketCounts[],
  gapMs: number,
  race: boolean,
  lb5xx: boolean,
  target5xx: boolean,
): void {
  const bucket = gapBucketIndex(gapMs);
  const counts = p.gapBuckets[bucket]!;
  counts[0]++;
  if (race) counts[1]++;
  if (lb5xx) counts[2]++;
  const t = perTarget[bucket]!;
  t[0]++;
  if (race) t[1]++;
  if (lb5xx) t[2]++;
  if (gapMs >= 0) {
    const fi = fineIndex(gapMs);
    p.allGapFine[fi] = (p.allGapFine[fi] ?? 0) + 1;
    if (race) p.raceGapFine[fi] = (p.raceGapFine[fi] ?? 0) + 1;
    else if (target5xx) p.targetGapFine[fi] = (p.targetGapFine[fi] ?? 0) + 1;
  }
}

/**
 * For the pieces of one file (byte ranges, gzip blocks), called in file order on each piece's partial
 * before it is merged: counts the gaps of the piece's first requests against `finishes` (when each
 * target's last request finished in the pieces before, updated here), as one analyzer reading the
 * whole file would (exactly when the file's lines are in time order).
 */
export function closeOpenGaps(part: PartialAnalysis, finishes: Map<string, GapFinish>): void {
  for (const [target, startMs, flags] of part.openGaps ?? []) {
    const previous = finishes.get(target);
    // Began before the request that finished last: its gap is unknown (see LogAnalyzer.addRecord).
    if (previous === undefined || startMs < previous[1]) continue;
    countGap(
      part,
      targetBucketsOf(part, target),
      startMs - previous[0],
      (flags & 1) !== 0,
      (flags & 2) !== 0,
      (flags & 4) !== 0,
    );
  }
  for (const [target, finish, start] of part.gapFinishes ?? []) {
    const previous = finishes.get(target);
    if (previous === undefined || finish > previous[0]) finishes.set(target, [finish, start]);
  }
  delete part.openGaps;
  delete part.gapFinishes;
}

/** Per target of the current input: when its last request finished (ms) and its gap buckets. */
interface GapState {
  finish: number;
  /** When the request that finished last began. */
  finishStart: number;
  /** `targetGaps` entry (resolved on the target's first gap; `(other)` past MAX_TARGETS). */
  buckets: GapBucketCounts[] | null;
}

/**
 * A copy of a string that does not share memory with the chunk it was sliced from (V8 keeps the
 * whole parent string alive otherwise: one kept example would pin a megabyte of input).
 */
export function detach(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function clip(text: string): string {
  return detach(text.length > MAX_EXAMPLE_CHARS ? `${text.slice(0, MAX_EXAMPLE_CHARS)}…` : text);
}

/** Streams lines into bounded aggregates. One analyzer may read many inputs in sequence. */
export class LogAnalyzer {
  private readonly p: PartialAnalysis = emptyPartial();
  private file = '';
  private format: LogFormat | null = null;
  /** target → when the last request to it finished, and its buckets; reset per input. */
  private lastFinish = new Map<string, GapState>();
  private readonly sinceMs: number;
  private readonly untilMs: number;

  private readonly keepJoin: boolean;
  /** This analyzer reads one piece of a file: first gaps per target are left for `closeOpenGaps`. */
  private readonly deferFirstGaps: boolean;
  private readonly openGaps: Array<[string, number, number]> = [];

  /**
   * Records outside `[sinceMs, untilMs)` are counted in `outsideWindow` and otherwise ignored.
   * `keepJoinRecords: false` keeps no failure for the per-request join (a run with one access log
   * has nothing to join with; tens of thousands of kept failures grow the heap measurably).
   */
  constructor(
    window: {
      sinceMs?: number | undefined;
      untilMs?: number | undefined;
      keepJoinRecords?: boolean | undefined;
      deferFirstGaps?: boolean | undefined;
    } = {},
  ) {
    this.deferFirstGaps = window.deferFirstGaps ?? false;
    this.sinceMs = window.sinceMs ?? Number.NEGATIVE_INFINITY;
    this.untilMs = window.untilMs ?? Number.POSITIVE_INFINITY;
    this.keepJoin = window.keepJoinRecords ?? true;
  }

  /** Starts a new input. Idle gaps are computed within one input (one LB node's or proxy's log). */
  beginInput(file: string, format: LogFormat): void {
    this.flushInputRequests();
    this.file = file;
    this.format = format;
    this.lastFinish = new Map();
  }

  /** Feeds one line (without its newline); `lineNumber` is 1-based within the input. */
  addLine(line: string, lineNumber: number): void {
    if (line.length === 0) return;
    const format = this.format!;
    this.p.lines++;
    this.inputLines++;
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    const result =
      format.parseForAnalysis !== undefined ? format.parseForAnalysis(text) : format.parseLine(text);
    if (result === null) {
      this.p.skippedLines++;
      if (format.lineTimeMs !== undefined) {
        const t = format.lineTimeMs(line);
        if (t !== null) this.noteErrorLogTime(t);
      }
      return;
    }
    if (!result.ok) {
      this.noteMalformed(lineNumber, result.reason, line);
      return;
    }
    this.addRecord(result.record, lineNumber, line);
  }

  private noteErrorLogTime(t: number): void {
    if (!Number.isFinite(t)) return;
    const span = this.p.errorLogSpans[this.file];
    if (span === undefined) this.p.errorLogSpans[detach(this.file)] = [t, t, t, 1];
    else {
      if (t < span[2] - ERROR_LOG_DISORDER_MS) span[3] = 0;
      if (t < span[0]) span[0] = t;
      if (t > span[1]) span[1] = t;
      span[2] = t;
    }
  }

  private keepForJoin(r: LogRecord, lineNumber: number, gapMs: number | undefined): void {
    if (!this.keepJoin) return;
    const list = r.kind === 'upstream-error' ? this.p.joinEvents : this.p.joinRequests;
    if (list.n >= MAX_JOIN_RECORDS) {
      this.p.joinOverflow++;
      return;
    }
    pushJoin(list, {
      file: this.file,
      line: lineNumber,
      kind: r.kind === 'upstream-error' ? 'upstream-error' : 'request',
      timeMs: r.timeMs,
      status: r.status,
      generator: r.generator,
      cause: r.cause,
      phase: r.phase,
      targetKey: joinKey(r.target),
      clientKey: r.client === undefined ? undefined : joinKey(ipOf(r.client)),
      requestLineKey: joinKey(r.requestLine),
      connectionKey: joinKey(r.connectionId),
      requestIdKey: joinKey(r.requestId),
      retried: r.retriedUpstreamError,
      gapMs,
    });
  }

  noteMalformed(lineNumber: number, reason: string, text: string): void {
    this.p.malformedLines++;
    if (this.p.malformedSamples.length < MAX_MALFORMED_SAMPLES) {
      this.p.malformedSamples.push({
        file: this.file,
        line: lineNumber,
        reason: detach(reason),
        text: clip(text),
      });
    }
  }

  noteTruncated(file: string, reason: string): void {
    this.p.truncatedInputs.push({ file, reason });
  }

  noteUnreadable(file: string, reason: string): void {
    this.p.unreadableInputs.push({ file, reason });
  }

  private example(key: string, lineNumber: number, text: string): void {
    let list = this.p.examples[key];
    if (list === undefined) {
      list = [];
      this.p.examples[key] = list;
    }
    if (list.length < MAX_EXAMPLES_PER_KEY)
      list.push({ file: this.file, line: lineNumber, text: clip(text) });
  }

  private lastMinuteIndex = Number.NaN;
  private lastMinute: MinuteCounts | null = null;

  private minute(timeMs: number): MinuteCounts {
    const index = Math.floor(timeMs / 60_000);
    if (index === this.lastMinuteIndex && this.lastMinute !== null) return this.lastMinute;
    const key = String(index);
    let m = this.p.minutes[key];
    if (m === undefined) {
      m = { requests: 0, lb5xx: 0, target5xx: 0, raceCandidates: 0, upstreamErrors: 0 };
      this.p.minutes[key] = m;
    }
    this.lastMinuteIndex = index;
    this.lastMinute = m;
    return m;
  }

  addRecord(r: LogRecord, lineNumber: number, text: string): void {
    const p = this.p;
    if (r.timeMs < this.sinceMs || r.timeMs >= this.untilMs) {
      p.outsideWindow++;
      return;
    }
    if (Number.isFinite(r.timeMs)) {
      if (p.firstTimeMs === null || r.timeMs < p.firstTimeMs) p.firstTimeMs = r.timeMs;
      if (p.lastTimeMs === null || r.timeMs > p.lastTimeMs) p.lastTimeMs = r.timeMs;
    }
    if (r.kind === 'upstream-error') {
      const cause = r.cause ?? 'unknown';
      p.upstreamErrors[cause] = (p.upstreamErrors[cause] ?? 0) + 1;
      this.example(`event|${cause}`, lineNumber, text);
      if (Number.isFinite(r.timeMs)) this.minute(r.timeMs).upstreamErrors++;
      if (r.phase !== undefined) p.phases[r.phase] = (p.phases[r.phase] ?? 0) + 1;
      if (this.format?.lineTimeMs !== undefined) this.noteErrorLogTime(r.timeMs);
      this.keepForJoin(r, lineNumber, undefined);
      return;
    }
    p.requests++;
    this.inputRequests++;
    const sc = statusClass(r.status);
    p.statusClasses[sc] = (p.statusClasses[sc] ?? 0) + 1;
    const minute = this.minute(r.timeMs);
    minute.requests++;
    const is5xx = r.status !== null && r.status >= 500;
    const race = is5xx && isRaceCandidate(r);
    if (is5xx) {
      const key = countKey(r.generator, r.status, r.cause);
      p.counts5xx[key] = (p.counts5xx[key] ?? 0) + 1;
      this.example(key, lineNumber, text);
      if (r.generator === 'lb') {
        minute.lb5xx++;
        if (r.protocol === 'grpc' || r.protocol === 'h2c') p.outOfScopeLb5xx++;
      } else if (r.generator === 'target') minute.target5xx++;
      if (race) minute.raceCandidates++;
    }
    if (r.retriedUpstreamError) {
      p.retriedUpstreamErrors++;
      this.example('retried', lineNumber, text);
    }
    if (r.phase !== undefined && (is5xx || r.cause !== null))
      p.phases[r.phase] = (p.phases[r.phase] ?? 0) + 1;
    if (r.cause === 'upstream-closed-mid-response' && !is5xx) {
      p.midResponseRequests++;
      this.example('mid-response', lineNumber, text);
    }
    let gapMs: number | undefined;
    const gapTarget = r.target ?? (this.format?.gapsWithoutTarget ? ALL_UPSTREAMS : undefined);
    if (gapTarget !== undefined) {
      const startMs = r.timeMs - (r.requestMs ?? 0);
      // One map lookup per request: the state holds both the last finish and the target's buckets.
      const state = this.lastFinish.get(gapTarget);
      if (state !== undefined) {
        // A request that began before the one that finished last (a log written as requests end,
        // stamped with their begin: Apache's %t, out of order when one line is written late) is not
        // preceded by it: that one says nothing of how long the connection idled before this one.
        // Its gap is unknown, never a negative "busy" gap made of the order the lines were written.
        if (startMs >= state.finishStart) {
          gapMs = startMs - state.finish;
          let perTarget = state.buckets;
          if (perTarget === null) {
            perTarget = targetBucketsOf(p, gapTarget);
            state.buckets = perTarget;
          }
          countGap(
            p,
            perTarget,
            gapMs,
            race,
            is5xx && r.generator === 'lb',
            is5xx && r.generator === 'target',
          );
        }
        if (r.timeMs > state.finish) {
          state.finish = r.timeMs;
          state.finishStart = startMs;
        }
      } else {
        if (this.lastFinish.size >= MAX_GAP_STATE_TARGETS) this.lastFinish.clear();
        const key = detach(gapTarget);
        this.lastFinish.set(key, { finish: r.timeMs, finishStart: startMs, buckets: null });
        if (this.deferFirstGaps) {
          const flags =
            (race ? 1 : 0) |
            (is5xx && r.generator === 'lb' ? 2 : 0) |
            (is5xx && r.generator === 'target' ? 4 : 0);
          this.openGaps.push([key, startMs, flags]);
        }
      }
    }
    if ((is5xx && r.generator !== 'target') || r.retriedUpstreamError) this.keepForJoin(r, lineNumber, gapMs);
  }

  /** Requests of the current input, added to `requestFormats` when the input changes or ends. */
  private inputRequests = 0;

  /** Lines of the current input, added to `formats` when the input changes or ends. */
  private inputLines = 0;

  private flushInputRequests(): void {
    if (this.format === null) return;
    const fid = this.format.id;
    if (this.inputLines > 0) {
      this.p.formats[fid] = (this.p.formats[fid] ?? 0) + this.inputLines;
      this.inputLines = 0;
    }
    if (this.inputRequests === 0) return;
    this.p.requestFormats[fid] = (this.p.requestFormats[fid] ?? 0) + this.inputRequests;
    this.inputRequests = 0;
  }

  toPartial(): PartialAnalysis {
    this.flushInputRequests();
    if (this.deferFirstGaps) {
      this.p.openGaps = this.openGaps;
      this.p.gapFinishes = [...this.lastFinish].map(([target, state]) => [
        target,
        state.finish,
        state.finishStart,
      ]);
    }
    return this.p;
  }
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

function addBuckets(a: GapBucketCounts[], b: GapBucketCounts[]): void {
  b.forEach((counts, i) => {
    const t = a[i]!;
    t[0] += counts[0];
    t[1] += counts[1];
    t[2] += counts[2];
  });
}

/** Merges `b` into `a` (in place) and returns `a`. Examples keep `a`'s first, then `b`'s. */
export function mergePartials(a: PartialAnalysis, b: PartialAnalysis): PartialAnalysis {
  addInto(a.formats, b.formats);
  addInto(a.requestFormats, b.requestFormats);
  a.lines += b.lines;
  a.requests += b.requests;
  a.skippedLines += b.skippedLines;
  a.outsideWindow += b.outsideWindow;
  a.malformedLines += b.malformedLines;
  for (const s of b.malformedSamples)
    if (a.malformedSamples.length < MAX_MALFORMED_SAMPLES) a.malformedSamples.push(s);
  addInto(a.counts5xx, b.counts5xx);
  addInto(a.statusClasses, b.statusClasses);
  addInto(a.upstreamErrors, b.upstreamErrors);
  a.retriedUpstreamErrors += b.retriedUpstreamErrors;
  a.outOfScopeLb5xx += b.outOfScopeLb5xx;
  for (const [k, list] of Object.entries(b.examples)) {
    const mine = a.examples[k] ?? [];
    for (const e of list) if (mine.length < MAX_EXAMPLES_PER_KEY) mine.push(e);
    a.examples[k] = mine;
  }
  for (const [k, m] of Object.entries(b.minutes)) {
    const mine = a.minutes[k];
    if (mine === undefined) a.minutes[k] = { ...m };
    else {
      mine.requests += m.requests;
      mine.lb5xx += m.lb5xx;
      mine.target5xx += m.target5xx;
      mine.raceCandidates += m.raceCandidates;
      mine.upstreamErrors += m.upstreamErrors;
    }
  }
  addBuckets(a.gapBuckets, b.gapBuckets);
  for (const [k, buckets] of Object.entries(b.targetGaps)) {
    const key =
      a.targetGaps[k] !== undefined || Object.keys(a.targetGaps).length < MAX_TARGETS ? k : '(other)';
    const mine = a.targetGaps[key];
    if (mine === undefined) a.targetGaps[key] = buckets.map((c) => [...c] as GapBucketCounts);
    else addBuckets(mine, buckets);
  }
  addInto(a.raceGapFine, b.raceGapFine);
  addInto(a.allGapFine, b.allGapFine);
  addInto(a.targetGapFine, b.targetGapFine);
  addInto(a.phases, b.phases);
  a.midResponseRequests += b.midResponseRequests;
  a.joinOverflow += appendJoin(a.joinRequests, b.joinRequests, MAX_JOIN_RECORDS);
  a.joinOverflow += appendJoin(a.joinEvents, b.joinEvents, MAX_JOIN_RECORDS);
  a.joinOverflow += b.joinOverflow;
  for (const [file, [first, last, seen, ordered]] of Object.entries(b.errorLogSpans)) {
    const mine = a.errorLogSpans[file];
    if (mine === undefined) a.errorLogSpans[file] = [first, last, seen, ordered];
    else
      a.errorLogSpans[file] = [
        Math.min(mine[0], first),
        Math.max(mine[1], last),
        seen,
        mine[3] === 1 && ordered === 1 && first >= mine[2] - ERROR_LOG_DISORDER_MS ? 1 : 0,
      ];
  }
  if (b.firstTimeMs !== null && (a.firstTimeMs === null || b.firstTimeMs < a.firstTimeMs))
    a.firstTimeMs = b.firstTimeMs;
  if (b.lastTimeMs !== null && (a.lastTimeMs === null || b.lastTimeMs > a.lastTimeMs))
    a.lastTimeMs = b.lastTimeMs;
  a.truncatedInputs.push(...b.truncatedInputs);
  a.unreadableInputs.push(...b.unreadableInputs);
  return a;
}

/** Shifts every line number of a partial (for a file read in byte ranges by several workers). */
export function offsetLineNumbers(p: PartialAnalysis, file: string, offset: number): void {
  if (offset === 0) return;
  for (const s of p.malformedSamples) if (s.file === file) (s as { line: number }).line += offset;
  for (const list of Object.values(p.examples)) {
    for (const e of list) if (e.file === file) (e as { line: number }).line += offset;
  }
  offsetJoinLines(p.joinRequests, file, offset);
  offsetJoinLines(p.joinEvents, file, offset);
}
