import type { VerdictRule } from './types.js';

export const failsRegardlessOfIdle: VerdictRule = {
  id: 'fails-regardless-of-idle',
  verdict: 'not-this-trap',
  summary: 'Half or more of the requests that followed another within 100 ms failed the same way',
  apply(e) {
    const { shortGapRequests, shortGapFailures } = e.gaps;
    if (e.totals.raceCandidates === 0 || shortGapRequests < 5 || shortGapFailures < 0.5 * shortGapRequests)
      return null;
    return {
      code: 'fails-regardless-of-idle',
      message: `${shortGapFailures} of ${shortGapRequests} requests that followed another within 100 ms failed like this: connections fail whether or not they sat idle, so this is a misconfiguration (e.g. TLS/mTLS or protocol mismatch, a backend that closes every connection), not the idle keep-alive race.`,
      examples: e.refs(e.raceKeys),
    };
  },
};
