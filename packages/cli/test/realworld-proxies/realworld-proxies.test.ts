import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type ConfigReader, READERS, type ReaderResult } from '@keepalive-parity/core';
import {
  caddyfileTestParts,
  REALWORLD,
  readCorpusFile,
  readRealworld,
  readText,
  summarize,
} from './helpers.js';

/**
 * The proxy and load-balancer readers against configuration files other projects wrote
 * (../shared/realworld/configs, read in place). The expected values are in expected.json, each with
 * how it was determined (product documentation, the real nginx/HAProxy/Caddy binaries).
 */
const EXPECTED = JSON.parse(readFileSync(new URL('./expected.json', import.meta.url), 'utf8')) as {
  files: Record<string, { sides: Record<string, Record<string, string>>; errors: number; why: string }>;
};

const KINDS = ['caddy', 'envoy', 'haproxy', 'traefik', 'nginx', 'k8s'] as const;
/** Workload sides of `k8s:` are the server readers' (their own suite). */
const WORKLOAD = /^server (Deployment|StatefulSet|DaemonSet|Pod|Job|CronJob|ReplicaSet)\//;
/** Companions kept next to the manifests a config points at, not manifests themselves. */
const COMPANION = /\.py$/;

function reader(id: string): ConfigReader {
  const found = READERS.find((r) => r.id === id);
  if (!found) throw new Error(`no reader ${id}`);
  return found;
}

/** Every corpus file of a kind, as the keys of expected.json (`.caddyfiletest` files give two). */
function corpusEntries(kind: string): Array<{ key: string; read: () => Promise<ReaderResult> }> {
  const out: Array<{ key: string; read: () => Promise<ReaderResult> }> = [];
  for (const name of readdirSync(`${REALWORLD}${kind}`).sort()) {
    if (COMPANION.test(name)) continue;
    let path = `${kind}/${name}`;
    if (statSync(`${REALWORLD}${path}`).isDirectory()) path += '/nginx.conf';
    if (name.endsWith('.caddyfiletest')) {
      const { caddyfile, json } = caddyfileTestParts(readCorpusFile(path));
      out.push({ key: `${path}#Caddyfile`, read: async () => readText(reader(kind), name, caddyfile) });
      out.push({ key: `${path}#JSON`, read: async () => readText(reader(kind), `${name}.json`, json) });
    } else out.push({ key: path, read: () => readRealworld(reader(kind), path) });
  }
  return out;
}

function compared(result: ReaderResult): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(summarize(result)).filter(([side]) => !WORKLOAD.test(side)));
}

describe('proxy readers on real-world configurations', () => {
  for (const kind of KINDS) {
    describe(kind, () => {
      for (const entry of corpusEntries(kind)) {
        it(entry.key, async () => {
          const expected = EXPECTED.files[entry.key];
          assert.ok(expected, `${entry.key} has no expectation in expected.json`);
          assert.ok(expected.why.length > 20, `${entry.key}: say how the values were determined`);
          const result = await entry.read();
          assert.deepEqual(compared(result), expected.sides);
          const errors = result.diagnostics.filter((d) => d.severity === 'error');
          assert.equal(errors.length, expected.errors, JSON.stringify(errors));
        });
      }
    });
  }

  it('every expectation names a corpus file (none left behind by a renamed file)', () => {
    const keys = new Set(KINDS.flatMap((kind) => corpusEntries(kind).map((e) => e.key)));
    assert.deepEqual(
      Object.keys(EXPECTED.files).filter((k) => !keys.has(k)),
      [],
    );
  });

  it("Caddy: each adapt test's Caddyfile half reads as its JSON half (Caddy's own adapter output)", async () => {
    const entries = corpusEntries('caddy');
    for (const entry of entries.filter((e) => e.key.endsWith('#Caddyfile'))) {
      const json = entries.find((e) => e.key === entry.key.replace('#Caddyfile', '#JSON'))!;
      // Side names differ (listener `:443` vs server `srv0`): compare the values, side by side.
      const values = (result: ReaderResult) =>
        Object.entries(compared(result))
          .map(([side, facts]) => `${side.split(' ')[0]} ${JSON.stringify(facts)}`)
          .sort();
      assert.deepEqual(values(await entry.read()), values(await json.read()), entry.key);
    }
  });
});
