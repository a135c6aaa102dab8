import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RULES } from '../src/index.js';

const DOCS = new URL('../../../docs/rules/', import.meta.url);

describe('rule documentation', () => {
  it('every rule id is kebab-case and has a page under docs/rules/ titled with it', () => {
    for (const rule of RULES) {
      assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
      const page = readFileSync(new URL(`${rule.id}.md`, DOCS), 'utf8');
      assert.ok(page.startsWith(`# \`${rule.id}\``), `${rule.id}.md starts with its id`);
      assert.match(
        page,
        new RegExp(`\\*\\*Severity:\\*\\* ${rule.severity}`),
        `${rule.id}.md states severity ${rule.severity}`,
      );
    }
  });

  it('every page under docs/rules/ belongs to a rule', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const file of readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      assert.ok(ids.has(file.replace(/\.md$/, '') as never), `${file} has no rule`);
    }
  });
});
