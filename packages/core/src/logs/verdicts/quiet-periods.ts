import type { VerdictRule } from './types.js';
import { pct } from './util.js';

export const quietPeriods: VerdictRule = {
  id: 'quiet-periods',
  verdict: null,
  summary: 'More race-like 502s per request in quiet minutes than in busy ones',
  apply(e) {
    const q = e.quietVsBusy;
    if (q === null || q.quietRate <= q.busyRate) return null;
    return {
      code: 'quiet-periods',
      message: `LB 502s per request are higher in quiet minutes (${pct(q.quietRate * 1e6, 1e6)}) than in busy ones (${pct(q.busyRate * 1e6, 1e6)}), as the race predicts: idle connections live longer when traffic is low.`,
      examples: [],
    };
  },
};
