import {
  countKey,
  fineLowerMs,
  type JoinRecord,
  type LineRef,
  type PartialAnalysis,
  parseCountKey,
} from '../analysis.js';
import { type JoinResult, joinFailures } from '../join.js';
import { joinRecords } from '../join-store.js';
import type { CauseCode, Generator } from '../types.js';
import { MIN_RACE_FAILURES } from './too-few.js';
import type {
  CountRow,
  GapEvidence,
  JoinSummary,
  KeepAliveEstimate,
  Totals,
  VerdictEvidence,
} from './types.js';
import { is5xx, isRaceRow } from './util.js';

/** Builds what the verdict rules read: counts corrected by the per-request join, totals, gap facts. */

const BUSY_GAP_MS = 100;

/** The median idle gap of all requests with a known gap (from the fine histogram's lower edges). */
function medianGapMs(allGapFine: Record<string, number>): number {
  const fine = Object.entries(allGapFine)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = fine.reduce((sum, [, v]) => sum + v, 0);
  let seen = 0;
  for (const [k, v] of fine) {
    seen += v;
    if (seen * 2 >= total) return fineLowerMs(k);
  }
  return 0;
}

/** A kept request that failed before any response byte on an LB-generated 5xx, or was retried after such a failure. */
function isRaceShapedRequest(r: JoinRecord, events: readonly JoinRecord[] | undefined): boolean {
  if (r.retried && (r.status === null || r.status < 500))
    return (events ?? []).some((e) => e.cause === 'upstream-closed-reused-connection');
  if (r.phase === 'read-body' || r.phase === 'connect') return false;
  return isRaceRow(r);
}

export function buildEvidence(
  p: PartialAnalysis,
  estimate: KeepAliveEstimate | null,
  requestFormats: readonly string[],
): VerdictEvidence & { examples: Record<string, Array<LineRef & { text?: string }>> } {
  // Objects for the kept failures only when an error log is there to join with (they are transient
  // but many: the benchmark's 1 GB nginx log keeps 20,000 failures).
  const needJoin = p.joinEvents.n > 0 || Object.keys(p.errorLogSpans).length > 0;
  const keptRequests = needJoin ? joinRecords(p.joinRequests) : [];
  const join: JoinResult = needJoin
    ? joinFailures(p, keptRequests, joinRecords(p.joinEvents))
    : { joined: [], unjoinedRequests: [], unjoinedEvents: [], coveredByErrorLog: [] };
  // Counts and examples corrected by the join (the partial itself is left as it was).
  const counts: Record<string, number> = { ...p.counts5xx };
  const examples: Record<string, Array<LineRef & { text?: string }>> = {};
  for (const [k, list] of Object.entries(p.examples)) examples[k] = [...list];
  const move = (r: JoinRecord, generator: Generator, cause: CauseCode | null) => {
    if (r.status === null || r.status < 500) return;
    const from = countKey(r.generator, r.status, r.cause);
    const to = countKey(generator, r.status, cause);
    if (from === to || (counts[from] ?? 0) === 0) return;
    counts[from]! -= 1;
    if (counts[from] === 0) delete counts[from];
    counts[to] = (counts[to] ?? 0) + 1;
    const list = examples[to] ?? [];
    if (list.length < 3) list.push({ file: r.file, line: r.line });
    examples[to] = list;
  };
  const adjusted = new Map<JoinRecord, JoinRecord>();
  for (const { request, events } of join.joined) {
    const last = events[events.length - 1]!;
    const cause =
      last.cause !== null && last.cause !== 'unknown'
        ? last.cause
        : request.cause === null && request.generator === 'unknown'
          ? 'unknown'
          : request.cause;
    if (request.status !== null && request.status >= 500) {
      move(request, 'lb', cause);
      adjusted.set(request, { ...request, generator: 'lb', cause, phase: last.phase ?? request.phase });
    }
  }
  for (const r of join.coveredByErrorLog) move(r, 'target', null);
  const fixed = (r: JoinRecord) => adjusted.get(r) ?? r;

  const eventsOnly = p.requests === 0 && Object.keys(p.upstreamErrors).length > 0;
  const rows: CountRow[] = eventsOnly
    ? Object.entries(p.upstreamErrors).map(([cause, count]) => ({
        generator: 'lb' as const,
        status:
          cause === 'response-timeout' || cause === 'connect-timeout'
            ? 504
            : cause === 'client-aborted'
              ? 499
              : cause === 'upstream-closed-mid-response'
                ? null
                : 502,
        cause: cause as CauseCode,
        count,
      }))
    : Object.entries(counts)
        .map(([k, count]) => ({ ...parseCountKey(k), count }))
        .sort((a, b) => b.count - a.count);
  const sum = (test: (r: CountRow) => boolean) => rows.filter(test).reduce((s, r) => s + r.count, 0);
  const lb = (r: CountRow) => r.generator === 'lb' && is5xx(r);
  const raceEvidence = sum((r) => lb(r) && r.cause === 'upstream-closed-reused-connection');
  // Unjoined leftovers (formats whose error entries carry no join key): connect-failure events
  // explain as many of the cause-less 502s, by count.
  const unjoinedEvent = (cause: CauseCode) => join.unjoinedEvents.filter((e) => e.cause === cause).length;
  const unjoinedCauseless502 = join.unjoinedRequests.filter(
    (r) => r.generator === 'lb' && r.status === 502 && (r.cause === 'unknown' || r.cause === null),
  ).length;
  const connectFromEvents = eventsOnly
    ? 0
    : Math.min(unjoinedEvent('connect-refused') + unjoinedEvent('connect-timeout'), unjoinedCauseless502);
  const raceCandidates = sum(isRaceRow) - connectFromEvents;
  const lb5xx = sum(lb);
  const eventRaces = p.upstreamErrors['upstream-closed-reused-connection'] ?? 0;
  const hiddenRaces = eventsOnly
    ? 0
    : Math.max(p.retriedUpstreamErrors, p.requests > 0 ? Math.max(0, eventRaces - raceCandidates) : 0);
  const totals: Totals = {
    requests: p.requests,
    fiveXx: sum(is5xx),
    lb5xx,
    target5xx: sum((r) => is5xx(r) && r.generator === 'target'),
    unknown5xx: sum((r) => is5xx(r) && r.generator === 'unknown'),
    raceCandidates,
    raceEvidence,
    lb502: sum((r) => lb(r) && r.status === 502),
    lb503: sum((r) => lb(r) && r.status === 503 && r.cause !== 'upstream-closed-reused-connection'),
    lb504: sum((r) => lb(r) && r.status === 504),
    connectFailures:
      sum((r) => lb(r) && (r.cause === 'connect-refused' || r.cause === 'connect-timeout')) +
      connectFromEvents,
    noHealthyUpstream: sum((r) => lb(r) && r.cause === 'no-healthy-upstream'),
    outOfScopeLb5xx: p.outOfScopeLb5xx,
    upstreamErrors: p.upstreamErrors,
    retriedUpstreamErrors: p.retriedUpstreamErrors,
    hiddenRaces,
    midResponse:
      (p.upstreamErrors['upstream-closed-mid-response'] ?? 0) +
      p.midResponseRequests +
      sum((r) => !eventsOnly && is5xx(r) && r.cause === 'upstream-closed-mid-response'),
    headerTooBig: eventsOnly
      ? (p.upstreamErrors['response-header-too-big'] ?? 0)
      : Math.max(
          sum((r) => r.cause === 'response-header-too-big'),
          p.upstreamErrors['response-header-too-big'] ?? 0,
        ),
  };
  const raceShaped = raceCandidates;
  const unjoinedEventRaces = unjoinedEvent('upstream-closed-reused-connection');
  const raceSignature = raceEvidence + (eventsOnly ? 0 : Math.min(unjoinedEventRaces, raceCandidates));

  // Gap facts, per request, after the join's corrections.
  // "Near one threshold": at or above 90 % of the keep-alive estimate; without an estimate (the
  // race-like failures were only recognised by the join), well above the typical gap of the traffic.
  const zoneFrom =
    estimate === null ? Math.max(BUSY_GAP_MS, 2 * medianGapMs(p.allGapFine)) : 0.9 * estimate.ms;
  let raceStats: { known: number; busy: number; inZone: number };
  if (needJoin) {
    const eventsOf = new Map<JoinRecord, readonly JoinRecord[]>(
      join.joined.map((f) => [f.request, f.events]),
    );
    const withGap = keptRequests.filter(
      (r) => r.gapMs !== undefined && isRaceShapedRequest(fixed(r), eventsOf.get(r)),
    );
    raceStats = {
      known: withGap.length,
      busy: withGap.filter((r) => r.gapMs! < BUSY_GAP_MS).length,
      inZone: withGap.filter((r) => r.gapMs! >= zoneFrom).length,
    };
  } else {
    // Nothing to join: the streaming histograms say the same without any kept record.
    const fine = Object.entries(p.raceGapFine).map(([k, v]) => [Number(k), v] as const);
    const negative = p.gapBuckets[0]?.[1] ?? 0;
    raceStats = {
      known: fine.reduce((sum, [, v]) => sum + v, 0) + negative,
      busy: negative + (p.gapBuckets[1]?.[1] ?? 0),
      inZone: fine.filter(([k]) => fineLowerMs(k + 1) > zoneFrom).reduce((sum, [, v]) => sum + v, 0),
    };
  }
  const targetFine = Object.entries(p.targetGapFine).map(([k, v]) => [Number(k), v] as const);
  // 5xx the access log could not attribute (no upstream status: Apache) are the target's when a
  // covering error log has no line for them; the histograms never saw them as the target's.
  const coveredGaps = join.coveredByErrorLog.flatMap((r) => (r.gapMs === undefined ? [] : [r.gapMs]));
  const targetKnown = targetFine.reduce((s, [, v]) => s + v, 0) + coveredGaps.length;
  const gaps: GapEvidence = {
    raceKnown: raceStats.known,
    raceBusy: raceStats.busy,
    shortGapRequests: (p.gapBuckets[0]?.[0] ?? 0) + (p.gapBuckets[1]?.[0] ?? 0),
    shortGapFailures: (p.gapBuckets[0]?.[1] ?? 0) + (p.gapBuckets[1]?.[1] ?? 0),
    raceInZone: raceStats.inZone,
    zoneFromMs: Math.round(zoneFrom),
    targetKnown,
    targetInZone:
      targetFine.filter(([k]) => fineLowerMs(k + 1) > zoneFrom).reduce((s, [, v]) => s + v, 0) +
      coveredGaps.filter((g) => g >= zoneFrom).length,
  };
  const gapsSupportRace =
    gaps.raceKnown >= MIN_RACE_FAILURES &&
    gaps.raceBusy <= 0.1 * gaps.raceKnown &&
    gaps.raceInZone >= 0.8 * gaps.raceKnown;
  const targetIndependent =
    totals.target5xx === 0 || (gaps.targetKnown > 0 && gaps.targetInZone <= 0.5 * gaps.targetKnown);

  const minutes = Object.entries(p.minutes)
    .map(([k, m]) => ({ minuteStartMs: Number(k) * 60_000, ...m }))
    .sort((a, b) => a.minuteStartMs - b.minuteStartMs);
  let quietVsBusy: VerdictEvidence['quietVsBusy'] = null;
  if (minutes.length >= 4 && raceCandidates > 0) {
    const sorted = [...minutes].sort((a, b) => a.requests - b.requests);
    const half = Math.floor(sorted.length / 2);
    const rate = (ms: typeof minutes) => {
      const req = ms.reduce((s, m) => s + m.requests, 0);
      return req === 0 ? 0 : ms.reduce((s, m) => s + m.raceCandidates, 0) / req;
    };
    quietVsBusy = {
      quietRate: rate(sorted.slice(0, half)),
      busyRate: rate(sorted.slice(half)),
      quietMinutes: half,
      busyMinutes: sorted.length - half,
    };
  }
  const spanMs = p.firstTimeMs !== null && p.lastTimeMs !== null ? p.lastTimeMs - p.firstTimeMs : 0;
  let clusteredBest: number | null = null;
  if (lb5xx >= 10 && spanMs >= 30 * 60_000) {
    let best = 0;
    for (let i = 0; i < minutes.length; i++) {
      let s = minutes[i]!.lb5xx;
      const next = minutes[i + 1];
      if (next !== undefined && next.minuteStartMs - minutes[i]!.minuteStartMs === 60_000) s += next.lb5xx;
      best = Math.max(best, s);
    }
    if (best >= 0.8 * lb5xx) clusteredBest = best;
  }

  const keyOf: VerdictEvidence['keyOf'] = (test) =>
    eventsOnly
      ? Object.keys(p.upstreamErrors)
          .filter((c) => test({ generator: 'lb', status: 502, cause: c as CauseCode }))
          .map((c) => `event|${c}`)
      : Object.keys(counts)
          .filter((k) => test(parseCountKey(k)))
          .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0));
  const refs = (keys: readonly string[], max = 3): LineRef[] => {
    const out: LineRef[] = [];
    for (const k of keys)
      for (const e of examples[k] ?? []) if (out.length < max) out.push({ file: e.file, line: e.line });
    return out;
  };
  const pairRefs: VerdictEvidence['pairRefs'] = (test, max = 3) =>
    join.joined
      .filter((f) => test(fixed(f.request), f.events))
      .slice(0, max)
      .flatMap((f) => [
        { file: f.request.file, line: f.request.line },
        ...f.events.map((e) => ({ file: e.file, line: e.line })),
      ]);
  const joinSummary: JoinSummary = {
    requests: p.joinRequests.n,
    events: p.joinEvents.n,
    joined: join.joined.length,
    unjoinedRequests: needJoin ? join.unjoinedRequests.length : p.joinRequests.n,
    unjoinedEvents: join.unjoinedEvents.length,
    targetByErrorLog: join.coveredByErrorLog.length,
    joinedRaceShaped: join.joined.filter((f) => isRaceShapedRequest(fixed(f.request), f.events)).length,
    overflow: p.joinOverflow,
    pairs: join.joined.slice(0, 10).map((f) => {
      const last = f.events[f.events.length - 1]!;
      return {
        request: { file: f.request.file, line: f.request.line },
        events: f.events.map((e) => ({ file: e.file, line: e.line })),
        cause: last.cause,
        phase: last.phase ?? null,
      };
    }),
  };
  return {
    p,
    totals,
    rows,
    eventsOnly,
    join,
    joinSummary,
    estimate,
    gaps,
    quietVsBusy,
    clusteredBest,
    spanMs,
    requestFormats,
    raceShaped,
    raceSignature,
    gapsSupportRace,
    targetIndependent,
    keyOf,
    refs,
    pairRefs,
    raceKeys: keyOf((r) => isRaceRow(r)),
    examples,
  };
}
