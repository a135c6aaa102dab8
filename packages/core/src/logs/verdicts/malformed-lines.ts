import type { VerdictRule } from './types.js';

export const malformedLines: VerdictRule = {
  id: 'malformed-lines',
  verdict: null,
  summary: 'Lines that could not be parsed (counted and sampled)',
  apply(e) {
    const { p } = e;
    if (p.malformedLines === 0) return null;
    return {
      code: 'malformed-lines',
      message: `${p.malformedLines} of ${p.lines} lines could not be parsed and were skipped (samples listed).`,
      examples: p.malformedSamples.slice(0, 3).map((s) => ({ file: s.file, line: s.line })),
    };
  },
};
