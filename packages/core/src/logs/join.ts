import type { PartialAnalysis } from './analysis.js';
import type { JoinRecord } from './join-store.js';

/**
 * The per-request join: error-log events (nginx error.log, Caddy's error entries, ...) are matched
 * to the access-log lines they explain, request by request, so every 5xx the proxy logged gets a
 * generator and a cause when either log says it.
 *
 * Keys: time (the event is written when the upstream fails, the access line when the response is
 * finished, both with one-second resolution in nginx's default formats: within JOIN_WINDOW_MS),
 * then every key both sides carry must agree: the request line (`request: "GET /x HTTP/1.1"`), the
 * client address (ip only: nginx's `client:` has no port), the upstream address, the proxy's
 * connection number (`*CID` = `$connection`), the request id. Among compatible events the one with
 * the most agreeing keys, then the closest in time, wins; an event explains at most one request,
 * a request takes at most one event per attempt (`502, 502` = two attempts, two error lines).
 */

/** Event time vs access time: both are whole seconds in nginx's defaults, and the access line is written after the response. */
export const JOIN_WINDOW_MS = 2000;

export interface JoinedFailure {
  readonly request: JoinRecord;
  /** The events that explain it, oldest first (one per failed attempt). */
  readonly events: readonly JoinRecord[];
}

export interface JoinResult {
  readonly joined: readonly JoinedFailure[];
  readonly unjoinedRequests: readonly JoinRecord[];
  readonly unjoinedEvents: readonly JoinRecord[];
  /**
   * Unjoined 5xx whose generator the access log did not say but an error log covers their time
   * (one continuous log, in time order, that began before them): nginx logs every upstream failure
   * it answers with 502/504 at level `error`, so with no such line the target generated the status.
   * An empty error log cannot show that it covers anything.
   */
  readonly coveredByErrorLog: readonly JoinRecord[];
}

/** How many keys agree, or -1 when one that both sides carry disagrees. */
function agreement(request: JoinRecord, event: JoinRecord): number {
  let score = 0;
  const pairs: Array<[number | undefined, number | undefined]> = [
    [request.requestLineKey, event.requestLineKey],
    [request.clientKey, event.clientKey],
    [request.targetKey, event.targetKey],
    [request.connectionKey, event.connectionKey],
    [request.requestIdKey, event.requestIdKey],
  ];
  for (const [a, b] of pairs) {
    if (a === undefined || b === undefined) continue;
    if (a !== b) return -1;
    score++;
  }
  return score;
}

/** Index of the first event with timeMs >= t (events sorted by time). */
function lowerBound(events: readonly JoinRecord[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.timeMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function joinFailures(
  p: PartialAnalysis,
  keptRequests: readonly JoinRecord[],
  keptEvents: readonly JoinRecord[],
): JoinResult {
  const events = keptEvents.filter((e) => Number.isFinite(e.timeMs)).sort((a, b) => a.timeMs - b.timeMs);
  const untimed = keptEvents.filter((e) => !Number.isFinite(e.timeMs));
  const used = new Uint8Array(events.length);
  const requests = [...keptRequests].sort((a, b) => a.timeMs - b.timeMs);
  const joined: JoinedFailure[] = [];
  const unjoinedRequests: JoinRecord[] = [];
  for (const request of requests) {
    const attempts = request.retried ? 2 : 1;
    const mine: JoinRecord[] = [];
    for (let k = 0; k < attempts; k++) {
      let best = -1;
      let bestScore = -1;
      let bestDelta = Number.POSITIVE_INFINITY;
      for (let i = lowerBound(events, request.timeMs - JOIN_WINDOW_MS); i < events.length; i++) {
        const e = events[i]!;
        if (e.timeMs > request.timeMs + JOIN_WINDOW_MS) break;
        if (used[i] === 1) continue;
        const score = agreement(request, e);
        if (score < 0) continue;
        const delta = Math.abs(e.timeMs - request.timeMs);
        if (score > bestScore || (score === bestScore && delta < bestDelta)) {
          best = i;
          bestScore = score;
          bestDelta = delta;
        }
      }
      // Without any agreeing key, time alone is too weak when several requests failed in that second.
      if (best < 0 || (bestScore === 0 && !aloneInWindow(requests, request))) break;
      used[best] = 1;
      mine.push(events[best]!);
    }
    if (mine.length > 0)
      joined.push({ request, events: mine.sort((a, b) => a.timeMs - b.timeMs || a.line - b.line) });
    else unjoinedRequests.push(request);
  }
  const unjoinedEvents = [...events.filter((_, i) => used[i] === 0), ...untimed];
  const spans = Object.values(p.errorLogSpans);
  const coveredByErrorLog = unjoinedRequests.filter(
    (r) =>
      r.generator === 'unknown' &&
      r.status !== null &&
      r.status >= 500 &&
      spans.some(([first, , , ordered]) => ordered === 1 && first <= r.timeMs + JOIN_WINDOW_MS),
  );
  return { joined, unjoinedRequests, unjoinedEvents, coveredByErrorLog };
}

/** True when no other kept failure falls in the request's join window (requests sorted by time). */
function aloneInWindow(sorted: readonly JoinRecord[], request: JoinRecord): boolean {
  const from = lowerBound(sorted, request.timeMs - JOIN_WINDOW_MS);
  const next = sorted[from + 1];
  return next === undefined || next.timeMs > request.timeMs + JOIN_WINDOW_MS;
}
