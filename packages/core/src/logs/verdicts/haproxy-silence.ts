import type { VerdictRule } from './types.js';

/**
 * lab-findings §9: when the client's own connection to HAProxy is reused, HAProxy answers the race
 * by closing that connection, with no log line and no 5xx. A quiet HAProxy log clears nothing.
 */
export const haproxySilence: VerdictRule = {
  id: 'haproxy-silence',
  verdict: 'inconclusive',
  summary: 'An HAProxy log without 5xx: HAProxy closes reused client connections silently on the race',
  apply(e) {
    const { totals } = e;
    if (totals.fiveXx > 0 || totals.hiddenRaces > 0 || totals.midResponse > 0) return null;
    if (e.requestFormats.length === 0 || !e.requestFormats.every((f) => f === 'haproxy')) return null;
    return {
      code: 'haproxy-silence',
      message: `No 5xx in ${totals.requests} HAProxy requests, but this log cannot clear the race: when a client's own keep-alive connection to HAProxy is reused and the server connection fails, HAProxy closes the client connection without a response and writes no log line (measured, lab-findings §9). If users report resets or errors, collect what this log cannot show: client-side errors (resets, empty replies) with times, \`show errors\` / \`show info\` counters, or a capture on the server side; or run \`keepalive-parity lab\` against this setup.`,
      examples: [],
    };
  },
};
