import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { getEntry, knowledgeBaseEntries, RULES } from '@keepalive-parity/core';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';

/**
 * Where the rule pages are. In the repository: its own `docs/rules` (one source of truth, nothing
 * generated to drift). In an installed package: the package's `docs/rules`, copied there by the
 * package's prepack script (scripts/copy-rule-docs.mjs); never a folder of the user's project.
 */
export function ruleDocsDir(): string | undefined {
  const at = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
  let inRepository = false;
  try {
    inRepository =
      JSON.parse(readFileSync(at('../../../../package.json'), 'utf8')).name === 'keepalive-parity-monorepo';
  } catch {
    // not in the repository
  }
  const dir = at(inRepository ? '../../../../docs/rules/' : '../../docs/rules/');
  return existsSync(dir) ? dir : undefined;
}

export const RULE_URI = 'keepalive-parity://rules/{id}';
export const DEFAULTS_URI = 'keepalive-parity://defaults';
export const DEFAULT_ENTRY_URI = 'keepalive-parity://defaults/{product}/{setting}';

export function registerResources(server: McpServer): void {
  const ruleIds = RULES.map((r) => r.id);
  server.registerResource(
    'rule',
    new ResourceTemplate(RULE_URI, {
      list: () => ({
        resources: RULES.map((r) => ({
          uri: `keepalive-parity://rules/${r.id}`,
          name: r.id,
          title: r.title,
          description: `Rule ${r.id} (${r.severity}): what it means, why, and the fix`,
          mimeType: 'text/markdown',
        })),
      }),
      complete: { id: (value) => ruleIds.filter((id) => id.startsWith(value)) },
    }),
    {
      title: 'Rule pages',
      description: 'The page of each finding id (docs/rules/<id>.md): meaning, evidence, fixes',
      mimeType: 'text/markdown',
    },
    async (uri, { id }) => {
      const ruleId = String(id);
      const dir = ruleDocsDir();
      if (!ruleIds.includes(ruleId as (typeof ruleIds)[number]) || !dir)
        throw new Error(`no rule page ${JSON.stringify(ruleId)}; rules: ${ruleIds.join(', ')}`);
      const text = await readFile(`${dir}${ruleId}.md`, 'utf8');
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
    },
  );
  server.registerResource(
    'defaults',
    DEFAULTS_URI,
    {
      title: 'Defaults knowledge base',
      description:
        'Every keep-alive / idle-timeout default the checks use (product, setting, unit, default, versions, source URL, verified)',
      mimeType: 'application/json',
    },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify(knowledgeBaseEntries(), null, 2),
        },
      ],
    }),
  );
  server.registerResource(
    'default-entry',
    new ResourceTemplate(DEFAULT_ENTRY_URI, {
      list: () => ({
        resources: knowledgeBaseEntries().map((e) => ({
          uri: `${DEFAULTS_URI}/${e.id}`,
          name: e.id,
          title: `${e.product}: ${e.setting}`,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Knowledge-base entry',
      description: 'One default by its id (product/setting, e.g. gunicorn/keepalive)',
      mimeType: 'application/json',
    },
    async (uri, { product, setting }) => {
      const entry = getEntry(`${String(product)}/${String(setting)}`);
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(entry, null, 2) }],
      };
    },
  );
}
