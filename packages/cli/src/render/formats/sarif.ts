import { findingMessage, RULES } from '@keepalive-parity/core/engine';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import {
  type FileLocation,
  type FormatRenderer,
  findingLocations,
  fixTexts,
  REPOSITORY_URL,
  ruleHelpUri,
} from './types.js';

/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for GitHub code
 * scanning (github/codeql-action/upload-sarif) and other SARIF viewers: one result per finding,
 * ruleId = the finding id, rule metadata from the rule registry, the first file:line fact as the
 * location and the other side of the hop as a related location; fixes as text (a SARIF `fix` needs
 * byte-exact replacements, which a timeout change in an unknown file layout cannot give).
 */

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function physicalLocation(location: FileLocation) {
  return {
    artifactLocation: { uri: encodeURI(location.file), uriBaseId: 'SRCROOT' },
    ...(location.line !== undefined ? { region: { startLine: location.line } } : {}),
  };
}

export const sarifRenderer: FormatRenderer = {
  id: 'sarif',
  summary: 'SARIF 2.1.0 (GitHub code scanning, upload-sarif)',
  render(input) {
    const ruleIndex = new Map(RULES.map((rule, i) => [rule.id as string, i]));
    const results = input.evaluation.hops.flatMap((hop) =>
      hop.findings.map((finding) => {
        const [primary, ...related] = findingLocations(finding, hop.hop, input);
        const fixes = fixTexts(finding);
        const text = `${sentence(`${hop.hop.name}: ${findingMessage(finding, hop.hop)}`)}${
          fixes.length ? ` Fix: ${fixes.map(sentence).join(' Or: ')}` : ''
        }`;
        return {
          ruleId: finding.id,
          ruleIndex: ruleIndex.get(finding.id),
          level: finding.severity,
          message: { text },
          ...(primary ? { locations: [{ physicalLocation: physicalLocation(primary) }] } : {}),
          ...(related.length
            ? {
                relatedLocations: related.map((location, i) => ({
                  id: i + 1,
                  physicalLocation: physicalLocation(location),
                  message: { text: sentence(location.what) },
                })),
              }
            : {}),
          partialFingerprints: { 'keepaliveParityHop/v1': `${finding.id}:${hop.hop.name}` },
          properties: {
            hop: hop.hop.index + 1,
            hopName: hop.hop.name,
            hopVerdict: hop.verdict,
            numbers: finding.numbers,
            fixes: (finding.fixes ?? []).map((f) => ({
              action: f.action,
              possible: f.possible,
              text: f.text,
            })),
          },
        };
      }),
    );
    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: TOOL_NAME,
              version: TOOL_VERSION,
              semanticVersion: TOOL_VERSION,
              informationUri: REPOSITORY_URL,
              rules: RULES.map((rule) => ({
                id: rule.id,
                name: rule.id
                  .split('-')
                  .map((w) => w[0]!.toUpperCase() + w.slice(1))
                  .join(''),
                shortDescription: { text: sentence(rule.title) },
                fullDescription: { text: sentence(rule.title) },
                helpUri: ruleHelpUri(rule.id),
                help: { text: `See ${ruleHelpUri(rule.id)}.` },
                defaultConfiguration: { level: rule.severity },
              })),
            },
          },
          originalUriBaseIds: { SRCROOT: { uri: `${pathToFileUri(input.cwd)}/` } },
          invocations: [{ executionSuccessful: true, commandLine: `${TOOL_NAME} ${input.command}` }],
          // Every hop, also those without a finding (the GitHub Action's job summary is made from these).
          properties: {
            command: input.command,
            verdict: input.evaluation.verdict,
            hops: input.evaluation.hops.map((h) => ({
              hop: h.hop.index + 1,
              name: h.hop.name,
              verdict: h.verdict,
              serverKeepAliveMs: h.serverKeepAliveMs,
              clientIdleMs: h.clientIdleMs,
              marginMs: h.hop.marginMs,
              requiredMs: h.requiredMs,
              headroomMs: h.headroomMs,
            })),
          },
          results,
        },
      ],
    };
    return `${JSON.stringify(log, null, 2)}\n`;
  },
};

function pathToFileUri(path: string): string {
  return `file://${encodeURI(path.replace(/\\/g, '/').replace(/^([A-Za-z]):/, '/$1:')).replace(/\/$/, '')}`;
}
