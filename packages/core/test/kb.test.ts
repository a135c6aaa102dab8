import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultFact,
  findProduct,
  getEntry,
  knowledgeBaseEntries,
  PRODUCTS,
  resolveDefault,
  searchEntries,
  versionInRange,
} from '../src/index.js';

describe('knowledge base', () => {
  it('every catalog product points at existing entries', () => {
    for (const product of PRODUCTS) {
      for (const setting of [product.pool, product.server]) {
        if (setting) assert.doesNotThrow(() => getEntry(setting.entry), `${product.id} → ${setting.entry}`);
      }
      for (const extra of [product.maxRequests, product.lifetime, product.closeDelayMs]) {
        if (extra) assert.doesNotThrow(() => getEntry(extra.entry), `${product.id} → ${extra.entry}`);
      }
    }
  });

  it('entry ids are unique and every entry has a source URL', () => {
    const entries = knowledgeBaseEntries();
    assert.equal(new Set(entries.map((e) => e.id)).size, entries.length);
    for (const e of entries) assert.match(e.sourceUrl, /^https:\/\//, e.id);
  });

  it("gunicorn's default keep-alive is 2 s, in seconds, with its source", () => {
    const fact = defaultFact('gunicorn', 'server');
    assert.deepEqual(fact.value, { type: 'duration', ms: 2000, text: '2 s' });
    assert.equal(fact.setting, '--keep-alive');
    assert.equal(fact.unit, 'seconds');
    assert.equal(fact.isDefault, true);
    assert.equal(fact.provenance.kind, 'knowledge-base');
    if (fact.provenance.kind === 'knowledge-base') assert.match(fact.provenance.sourceUrl, /gunicorn/);
  });

  it('picks version-specific defaults (Puma 20 s before 7.0, 65 s from 7.0)', () => {
    assert.deepEqual(resolveDefault('puma', 'server', '6.4.2').value, {
      type: 'duration',
      ms: 20_000,
      text: '20 s',
    });
    const v7 = resolveDefault('puma', 'server', '7.1.0').value;
    assert.equal(v7.type === 'duration' ? v7.ms : -1, 65_000);
    const current = resolveDefault('puma', 'server');
    assert.equal(current.value.type === 'duration' ? current.value.ms : -1, 65_000);
    assert.ok(
      current.notes.some((n) => n.includes('<7.0.0')),
      'says other versions differ',
    );
  });

  it('keeps unverified rows out of verdicts', () => {
    const fact = defaultFact('azure-appgw', 'pool');
    assert.equal(fact.provenance.kind === 'knowledge-base' && fact.provenance.verified, false);
    assert.ok(fact.notes?.some((n) => n.includes('UNVERIFIED')));
  });

  it('refuses a side a product does not have, and unknown products', () => {
    assert.throws(() => resolveDefault('gunicorn', 'pool'), /no client-side pool/);
    assert.throws(() => resolveDefault('no-such-server', 'server'), /unknown product/);
  });

  it('finds products by alias and entries by name', () => {
    assert.equal(findProduct('ALB')?.id, 'aws-alb');
    assert.ok(searchEntries('gunicorn').some((e) => e.id === 'gunicorn/keepalive'));
    assert.ok(searchEntries('Kestrel').length >= 1);
  });

  it('compares versions', () => {
    assert.ok(versionInRange('7.0.0', '>=7.0.0'));
    assert.ok(!versionInRange('6.9.9', '>=7.0.0'));
    assert.ok(versionInRange('1.20.0', '>=1.19.10 <1.29.7'));
    assert.ok(versionInRange('v20.1', '>=20.0.0'));
    assert.ok(versionInRange('anything', '*'));
  });
});
