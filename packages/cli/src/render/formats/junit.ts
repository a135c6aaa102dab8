import { findingMessage } from '@keepalive-parity/core/engine';
import { TOOL_NAME } from '../../version.js';
import { type FormatRenderer, findingLocations, fixTexts, hopTitle } from './types.js';

/**
 * JUnit XML (the schema Jenkins, GitLab and most CI test reports read): one testcase per hop; a
 * violation is a <failure>, a hop that cannot be judged (unknown) an <error>, a hop that holds passes.
 */

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export const junitRenderer: FormatRenderer = {
  id: 'junit',
  summary: 'JUnit XML: one testcase per hop (violation = failure, unknown = error)',
  render(input) {
    const { hops } = input.evaluation;
    const failures = hops.filter((h) => h.verdict === 'violation').length;
    const errors = hops.filter((h) => h.verdict === 'unknown').length;
    const suite = `${TOOL_NAME} ${input.command}`;
    const cases = hops.map((hop) => {
      const detail = hop.findings
        .map((f) => {
          const where = findingLocations(f, hop.hop, input)
            .map((l) => `${l.file}${l.line ? `:${l.line}` : ''}`)
            .join(', ');
          const fixes = fixTexts(f);
          return `${f.severity} ${f.id}: ${findingMessage(f, hop.hop)}${where ? ` (${where})` : ''}${fixes.length ? `\n  fix: ${fixes.join('\n  or:  ')}` : ''}`;
        })
        .join('\n');
      const main = hop.findings.find((f) => f.severity === 'error') ?? hop.findings[0];
      const head = `    <testcase classname="${xml(`${TOOL_NAME}.${input.command}`)}" name="${xml(hopTitle(hop))}">`;
      if (hop.verdict === 'holds')
        return detail
          ? `${head}\n      <system-out>${xml(detail)}</system-out>\n    </testcase>`
          : `${head}</testcase>`;
      const tag = hop.verdict === 'violation' ? 'failure' : 'error';
      const message = main ? findingMessage(main, hop.hop) : hop.verdict;
      return `${head}\n      <${tag} message="${xml(message)}" type="${xml(main?.id ?? hop.verdict)}">${xml(detail)}</${tag}>\n    </testcase>`;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${xml(suite)}" tests="${hops.length}" failures="${failures}" errors="${errors}">
  <testsuite name="${xml(suite)}" tests="${hops.length}" failures="${failures}" errors="${errors}" skipped="0">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
  },
};
