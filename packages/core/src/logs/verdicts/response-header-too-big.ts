import type { VerdictRule } from './types.js';

export const responseHeaderTooBig: VerdictRule = {
  id: 'response-header-too-big',
  verdict: 'not-this-trap',
  summary:
    "The target's response header does not fit the proxy's buffer (nginx `upstream sent too big header`)",
  apply(e) {
    const { totals } = e;
    const n = totals.headerTooBig;
    if (n === 0 || n < e.raceShaped || n < 0.5 * Math.max(1, totals.lb5xx)) return null;
    return {
      code: 'response-header-too-big',
      message: `${n} failures are "upstream sent too big header": the target's response header (often large cookies or tokens) is bigger than the proxy's header buffer, so the proxy answers 502. Not the keep-alive race. Fix: raise nginx \`proxy_buffer_size\` (and \`proxy_buffers\`) above the largest response header (ingress-nginx: \`proxy-buffer-size\`), or make the header smaller.`,
      examples: e.refs(e.keyOf((r) => r.cause === 'response-header-too-big')),
    };
  },
};
