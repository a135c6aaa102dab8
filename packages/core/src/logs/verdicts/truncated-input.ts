import type { VerdictRule } from './types.js';

export const truncatedInput: VerdictRule = {
  id: 'truncated-input',
  verdict: null,
  summary: 'Inputs that ended early (a cut .gz); the lines read before the cut count',
  apply(e) {
    const t = e.p.truncatedInputs;
    if (t.length === 0) return null;
    return {
      code: 'truncated-input',
      message: `${t.map((x) => `${x.file}: ${x.reason}`).join('; ')}; the lines read before it are counted.`,
      examples: [],
    };
  },
};
