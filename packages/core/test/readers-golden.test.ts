import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ConfigReader, Fact, ReaderResult } from '../src/index.js';
import { caddyReader } from '../src/readers/caddy/index.js';
import { envoyReader } from '../src/readers/envoy/index.js';
import { haproxyReader } from '../src/readers/haproxy/index.js';
import { k8sReader } from '../src/readers/k8s/index.js';
import { nginxReader } from '../src/readers/nginx/index.js';
import { terraformReader } from '../src/readers/terraform/index.js';
import { traefikReader } from '../src/readers/traefik/index.js';
import { FIXTURES, readFixture } from './readers-helpers.js';

/**
 * Every fixture folder has an `expected.json`: for each config (file or folder) the facts each side
 * must yield (subject, value, file:line) and the diagnostics (line, severity). Regenerate after a
 * deliberate change with UPDATE_EXPECTED=1 and review the diff.
 */
const CASES: Array<[ConfigReader, string, string[]]> = [
  [
    nginxReader,
    'nginx',
    ['basic/nginx.conf', 'includes/nginx.conf', 'legacy/nginx.conf', 'broken/nginx.conf', 'units/nginx.conf'],
  ],
  [haproxyReader, 'haproxy', ['basic.cfg', 'units.cfg', 'closing.cfg', 'broken.cfg']],
  [envoyReader, 'envoy', ['bootstrap.yaml', 'config_dump.json', 'broken.yaml']],
  [traefikReader, 'traefik', ['dynamic.yml', 'dynamic.toml', 'traefik.yml', 'broken.yml', 'bad-value.yml']],
  [caddyReader, 'caddy', ['Caddyfile', 'caddy.json', 'broken.Caddyfile']],
  [k8sReader, 'k8s', ['ingress-nginx.yaml', 'alb-ingress.yaml', 'istio.yaml', 'folder', 'broken.yaml']],
  [terraformReader, 'terraform', ['module', 'plan.json', 'broken.tf', 'bad-value.tf']],
];

function value(fact: Fact): string | number {
  const v = fact.value;
  if (v.type === 'duration') return `${v.ms}ms`;
  if (v.type === 'count') return v.count;
  if (v.type === 'retry') return `retry[${v.on.join(',')}]`;
  return v.type;
}

function summary(result: ReaderResult) {
  return {
    // The balancer side only: workloads (k8s:, terraform: ECS) are the server readers' fixtures.
    sides: result.sides
      .filter(
        (s) => !/^(Deployment|StatefulSet|DaemonSet|Pod|Job|CronJob|ReplicaSet)\/|^aws_ecs/.test(s.name),
      )
      .map((s) => ({
        role: s.role,
        name: s.name,
        facts: s.facts.map((f) => {
          const p = f.provenance;
          const at =
            p.kind === 'file'
              ? `${p.file}:${p.line ?? '?'}`
              : p.kind === 'knowledge-base'
                ? `default`
                : p.kind;
          return `${f.subject} = ${value(f)} @ ${at}`;
        }),
      })),
    diagnostics: result.diagnostics.map(
      (d) => `${d.severity} ${d.file}:${d.line ?? '?'}${d.side ? ` [${d.side}]` : ''}`,
    ),
  };
}

describe('reader fixtures against their expected.json', () => {
  for (const [reader, folder, configs] of CASES) {
    it(`${reader.id}: ${configs.join(', ')}`, async () => {
      const expectedFile = `${FIXTURES}${folder}/expected.json`;
      const actual: Record<string, unknown> = {};
      for (const config of configs)
        actual[config] = summary(await readFixture(reader, `${folder}/${config}`));
      if (process.env.UPDATE_EXPECTED === '1') {
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      }
      assert.deepEqual(actual, JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
