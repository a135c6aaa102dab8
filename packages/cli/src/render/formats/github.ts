import { findingMessage } from '@keepalive-parity/core/engine';
import { type FormatRenderer, findingLocations, fixTexts } from './types.js';

/**
 * GitHub Actions workflow commands (https://docs.github.com/actions/reference/workflow-commands-for-github-actions):
 * one `::error file=F,line=L,title=ID::message` annotation per finding (warning and note findings as
 * ::warning and ::notice), shown on the file's line in the run and the pull request.
 */

const LEVEL = { error: 'error', warning: 'warning', note: 'notice' } as const;

/** Escaping of the runner's command parser (toolkit/packages/core/src/command.ts). */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export const githubRenderer: FormatRenderer = {
  id: 'github',
  summary: 'GitHub Actions annotations (::error file=...,line=...::)',
  render(input) {
    const lines: string[] = [];
    for (const hop of input.evaluation.hops) {
      for (const finding of hop.findings) {
        const [where] = findingLocations(finding, hop.hop, input);
        const props = [
          ...(where ? [`file=${property(where.file)}`] : []),
          ...(where?.line !== undefined ? [`line=${where.line}`] : []),
          `title=${property(`${finding.id} (hop ${hop.hop.index + 1})`)}`,
        ];
        const fixes = fixTexts(finding);
        const message = `${hop.hop.name}: ${findingMessage(finding, hop.hop)}${fixes.length ? `\nFix: ${fixes.join('\nOr: ')}` : ''}`;
        lines.push(`::${LEVEL[finding.severity]} ${props.join(',')}::${data(message)}`);
      }
    }
    const violations = input.evaluation.hops.filter((h) => h.verdict === 'violation').length;
    lines.push(
      `keepalive-parity ${input.command}: ${input.evaluation.verdict} (${violations} of ${input.evaluation.hops.length} hops violate the rule)`,
    );
    return `${lines.join('\n')}\n`;
  },
};
