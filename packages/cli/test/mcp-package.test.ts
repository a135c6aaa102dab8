import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULES } from '@keepalive-parity/core';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

it('the packed cli ships every rule page (MCP resources of an installed package)', () => {
  // npm pack runs the package's prepack script (copy-rule-docs.mjs), as npm publish does.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
    cwd: CLI_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const files = new Set((JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path));
  for (const rule of RULES) assert.ok(files.has(`docs/rules/${rule.id}.md`), rule.id);
  assert.ok(files.has('dist/mcp/resources.js'));
});
