import type { VerdictRule } from './types.js';

export const perRequestJoin: VerdictRule = {
  id: 'per-request-join',
  verdict: null,
  summary: 'How the error-log events were joined to access-log lines, request by request',
  apply(e) {
    const j = e.joinSummary;
    if (j.events === 0 || j.requests === 0) return null;
    const byCause = new Map<string, number>();
    for (const f of e.join.joined) {
      const last = f.events[f.events.length - 1]!;
      const key = `${last.cause ?? 'unknown'}${last.phase ? ` (${last.phase})` : ''}`;
      byCause.set(key, (byCause.get(key) ?? 0) + 1);
    }
    const causes = [...byCause].map(([k, v]) => `${v} ${k}`).join(', ');
    return {
      code: 'per-request-join',
      message: `Joined per request (time, client, request line, upstream): ${j.joined} of ${j.requests} failed or retried access-log lines have their error-log line${causes ? ` (${causes})` : ''}; ${j.unjoinedRequests} have none${j.targetByErrorLog > 0 ? ` (${j.targetByErrorLog} of those 5xx are the target's: the error log covers them and has no upstream error)` : ''}; ${j.unjoinedEvents} error-log events match no access line${j.overflow > 0 ? `; ${j.overflow} failures beyond the join's capacity were only counted` : ''}.`,
      examples: j.pairs.slice(0, 2).flatMap((pair) => [pair.request, ...pair.events]),
    };
  },
};
