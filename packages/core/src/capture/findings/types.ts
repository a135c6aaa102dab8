import type { ConnectionSummary } from '../connection.js';

export interface EvidenceOptions {
  /** The rule's margin (as in `check`): server keep-alive >= client pool idle + margin. */
  readonly marginMs: number;
}

/** A finding over a capture: fed every connection summary as it closes, reports at the end. */
export interface EvidenceCollector<R> {
  add(summary: ConnectionSummary): void;
  result(): R;
}

export interface EvidenceFindingDefinition<R> {
  /** Stable kebab-case id (docs/evidence.md has a section per id). */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  create(options: EvidenceOptions): EvidenceCollector<R>;
}

/** `2026-12-06T04:01:02.123456Z` from microseconds since the epoch. */
export function isoMicros(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  // A damaged timestamp can lie outside what a Date holds (±8.64e15 ms).
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${(timeUs / 1e6).toFixed(6)} s since the epoch`;
  const iso = new Date(ms).toISOString();
  const micros = Math.floor(timeUs - ms * 1000);
  return `${iso.slice(0, -1)}${String(Math.max(0, Math.min(999, micros))).padStart(3, '0')}Z`;
}
