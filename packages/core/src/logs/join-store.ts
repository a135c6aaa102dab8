import type { LineRef } from './analysis.js';
import { CAUSE_CODES, type CauseCode, type FailurePhase, type Generator } from './types.js';

/**
 * Failures kept for the per-request join, stored column-wise in one growing Float64Array (12
 * numbers, 96 bytes per failure) instead of one object each: tens of thousands of small long-lived
 * objects made V8 grow its old generation by ~20 MB on the benchmark's 1 GB nginx log, a flat buffer
 * does not. Serialisable (worker results are structured clones) and mergeable.
 */

/**
 * One failure: an access-log 5xx the proxy may have generated, a request that succeeded after a
 * retried upstream error, or an error-log upstream event. Join keys are 32-bit hashes (equality is
 * all the join needs), so nothing from the input's text is held.
 */
export interface JoinRecord extends LineRef {
  readonly kind: 'request' | 'upstream-error';
  readonly timeMs: number;
  readonly status: number | null;
  readonly generator: Generator;
  readonly cause: CauseCode | null;
  readonly phase?: FailurePhase | undefined;
  /** Hashes of the upstream address, the client ip, the request line, the connection number, the request id. */
  readonly targetKey?: number | undefined;
  readonly clientKey?: number | undefined;
  readonly requestLineKey?: number | undefined;
  readonly connectionKey?: number | undefined;
  readonly requestIdKey?: number | undefined;
  readonly retried?: boolean | undefined;
  /** The idle gap before the request on its target (ms), when known. */
  readonly gapMs?: number | undefined;
}

export interface JoinColumns {
  n: number;
  files: string[];
  data: Float64Array;
}

const STRIDE = 12;
const GENERATORS: readonly Generator[] = ['lb', 'target', 'unknown'];
const PHASES: readonly FailurePhase[] = ['connect', 'send-request', 'read-header', 'read-body'];

export function emptyJoinColumns(): JoinColumns {
  return { n: 0, files: [], data: new Float64Array(0) };
}

const num = (v: number | undefined | null) => (v === undefined || v === null ? Number.NaN : v);
const opt = (v: number) => (Number.isNaN(v) ? undefined : v);

export function pushJoin(c: JoinColumns, r: JoinRecord): void {
  if ((c.n + 1) * STRIDE > c.data.length) {
    const grown = new Float64Array(Math.max(64, c.data.length / STRIDE) * 2 * STRIDE);
    grown.set(c.data);
    c.data = grown;
  }
  let fileIndex = c.files.lastIndexOf(r.file);
  if (fileIndex < 0) fileIndex = c.files.push(r.file) - 1;
  const o = c.n * STRIDE;
  const d = c.data;
  d[o] = fileIndex;
  d[o + 1] = r.line;
  d[o + 2] = r.timeMs;
  d[o + 3] = num(r.status);
  // kind | generator | cause | phase | retried, packed in one integer.
  d[o + 4] =
    (r.kind === 'upstream-error' ? 1 : 0) +
    GENERATORS.indexOf(r.generator) * 2 +
    (r.cause === null ? 0 : CAUSE_CODES.indexOf(r.cause) + 1) * 8 +
    (r.phase === undefined ? 0 : PHASES.indexOf(r.phase) + 1) * 256 +
    (r.retried ? 1 : 0) * 4096;
  d[o + 5] = num(r.targetKey);
  d[o + 6] = num(r.clientKey);
  d[o + 7] = num(r.requestLineKey);
  d[o + 8] = num(r.connectionKey);
  d[o + 9] = num(r.requestIdKey);
  d[o + 10] = num(r.gapMs);
  c.n++;
}

/** The records as objects (at diagnosis time only). */
export function joinRecords(c: JoinColumns): JoinRecord[] {
  const out: JoinRecord[] = new Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const o = i * STRIDE;
    const d = c.data;
    const packed = d[o + 4]!;
    const causeIndex = Math.floor(packed / 8) % 32;
    const phaseIndex = Math.floor(packed / 256) % 16;
    out[i] = {
      file: c.files[d[o]!]!,
      line: d[o + 1]!,
      kind: packed % 2 === 1 ? 'upstream-error' : 'request',
      timeMs: d[o + 2]!,
      status: opt(d[o + 3]!) ?? null,
      generator: GENERATORS[Math.floor(packed / 2) % 4]!,
      cause: causeIndex === 0 ? null : CAUSE_CODES[causeIndex - 1]!,
      phase: phaseIndex === 0 ? undefined : PHASES[phaseIndex - 1],
      targetKey: opt(d[o + 5]!),
      clientKey: opt(d[o + 6]!),
      requestLineKey: opt(d[o + 7]!),
      connectionKey: opt(d[o + 8]!),
      requestIdKey: opt(d[o + 9]!),
      retried: Math.floor(packed / 4096) % 2 === 1 ? true : undefined,
      gapMs: opt(d[o + 10]!),
    };
  }
  return out;
}

/** Appends `b` to `a` up to `max` records; returns how many did not fit. */
export function appendJoin(a: JoinColumns, b: JoinColumns, max: number): number {
  const take = Math.min(b.n, Math.max(0, max - a.n));
  for (const r of joinRecords(b).slice(0, take)) pushJoin(a, r);
  return b.n - take;
}

/** Shifts the line numbers of one file's records (a byte range read by a worker). */
export function offsetJoinLines(c: JoinColumns, file: string, offset: number): void {
  const fileIndex = c.files.indexOf(file);
  if (fileIndex < 0) return;
  for (let i = 0; i < c.n; i++) if (c.data[i * STRIDE] === fileIndex) c.data[i * STRIDE + 1]! += offset;
}
