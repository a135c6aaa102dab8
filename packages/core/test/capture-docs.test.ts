import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CAPTURE_FORMATS, EVIDENCE_FINDINGS, LINK_TYPES, OTHER_CLOSE_MEANINGS } from '../src/index.js';

const page = readFileSync(new URL('../../../docs/evidence.md', import.meta.url), 'utf8');

test('docs/evidence.md documents every finding, format, link type and close kind in the registries', () => {
  for (const finding of EVIDENCE_FINDINGS) {
    assert.match(finding.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(page.includes(`### \`${finding.id}\``), `a section for ${finding.id}`);
  }
  for (const format of CAPTURE_FORMATS) assert.ok(page.includes(`\`${format.id}\``), format.id);
  for (const link of LINK_TYPES.values())
    assert.match(page, new RegExp(`[(, ]${link.linkType}[),]`), `link type ${link.linkType} (${link.name})`);
  for (const kind of Object.keys(OTHER_CLOSE_MEANINGS)) assert.ok(page.includes(`\`${kind}\``), kind);
});
