import {
  KeepaliveParityError,
  type KnowledgeBaseEntry,
  knowledgeBaseEntries,
  PRODUCTS,
  searchEntries,
} from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';

const ROLE_TITLE: Record<KnowledgeBaseEntry['role'], string> = {
  'lb-upstream-pool': 'Load balancers and proxies: idle timeout of the upstream (backend) pool',
  'server-keepalive': 'Servers: idle keep-alive timeout toward their clients',
  'client-pool': 'HTTP client pools: idle expiry',
};

function defaultText(entry: KnowledgeBaseEntry): string {
  if (entry.defaultMs !== null)
    return entry.defaultMs % 1000 === 0 ? `${entry.defaultMs / 1000} s` : `${entry.defaultMs} ms`;
  const head = entry.notes
    .split('|')[0]!
    .replace(/^default:\s*/, '')
    .trim();
  return head.length > 40 ? `${head.slice(0, 37)}...` : head || '-';
}

export const defaultsCommand: Command = {
  name: 'defaults',
  summary: 'List the knowledge base of keep-alive / idle-timeout defaults, with sources',
  help: `Usage: keepalive-parity defaults [PRODUCT] [--json] [--all]

Lists the defaults the checks use: setting name, unit, default, versions and source URL.
PRODUCT is a catalog id or alias (gunicorn, aws-alb, nginx, node, ...) or any part of a
product name. UNVERIFIED rows are marked and never used for a verdict.

Options:
  --json        one JSON document on stdout
  --products    list the product ids that runtime:NAME accepts

Examples:
  keepalive-parity defaults gunicorn
  keepalive-parity defaults gunicorn --json
  keepalive-parity defaults --products
`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(
      'defaults',
      args,
      { json: { type: 'boolean' }, products: { type: 'boolean' } },
      true,
    );
    const p = palette(context.color);
    if (values.products) {
      const products = PRODUCTS.map((x) => ({
        id: x.id,
        name: x.name,
        aliases: x.aliases ?? [],
        kind: x.kind,
        asClientPool: !!x.pool,
        asServer: !!x.server,
      }));
      if (values.json) writeJson(context.stdout, { command: 'defaults', products });
      else
        context.stdout.write(
          `${products.map((x) => `${x.id.padEnd(20)} ${x.name}${x.aliases.length ? p.dim(` (also: ${x.aliases.join(', ')})`) : ''}`).join('\n')}\n`,
        );
      return EXIT_OK;
    }
    const query = positionals.join(' ').trim();
    const entries = query ? searchEntries(query) : [...knowledgeBaseEntries()];
    if (entries.length === 0) {
      throw new KeepaliveParityError(
        'KAP_INPUT_INVALID',
        `no knowledge-base entry matches ${JSON.stringify(query)} (see keepalive-parity defaults --products)`,
      );
    }
    if (values.json) {
      writeJson(context.stdout, { command: 'defaults', query: query || null, entries });
      return EXIT_OK;
    }
    const out: string[] = [];
    for (const role of Object.keys(ROLE_TITLE) as KnowledgeBaseEntry['role'][]) {
      const rows = entries.filter((e) => e.role === role);
      if (rows.length === 0) continue;
      out.push(p.bold(ROLE_TITLE[role]));
      for (const e of rows) {
        out.push(
          `  ${e.product}: ${p.cyan(e.setting)}  ${p.bold(defaultText(e))}  ${p.dim(`[${e.unit}]`)}${e.verified ? '' : p.yellow('  UNVERIFIED')}`,
        );
        out.push(`    ${p.dim(`versions: ${e.versions}`)}`);
        out.push(`    ${p.dim(`source: ${e.sourceUrl}`)}`);
        if (query) out.push(`    ${p.dim(e.notes)}`);
      }
      out.push('');
    }
    context.stdout.write(out.join('\n'));
    return EXIT_OK;
  },
};
