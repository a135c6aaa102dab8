import type { Finding } from '../findings.js';
import type { Rule } from './context.js';

/**
 * A side's configuration could not be fully read (it does not parse, an include is missing, a value
 * is not a duration). Each reader diagnostic becomes one finding with its file:line; an
 * error-severity diagnostic makes the hop's verdict `unknown` (see evaluate.ts), never `holds`.
 */
export const configUnreadable: Rule = {
  id: 'config-unreadable',
  severity: 'warning',
  title: 'A configuration could not be read: the hop cannot be judged from it',
  check({ hop }) {
    const findings: Finding[] = [];
    for (const [side, which] of [
      [hop.server, 'server'],
      [hop.client, 'client'],
    ] as const) {
      for (const diagnostic of side.diagnostics ?? []) {
        const details: Record<string, string> = {
          side: which,
          diagnosticSeverity: diagnostic.severity,
          message: diagnostic.message,
          file: diagnostic.file,
        };
        if (diagnostic.field !== undefined) details.field = diagnostic.field;
        findings.push({
          id: 'config-unreadable',
          severity: 'warning',
          hopIndex: hop.index,
          numbers: diagnostic.line === undefined ? {} : { line: diagnostic.line },
          facts: [],
          details,
        });
      }
    }
    return findings;
  },
};
