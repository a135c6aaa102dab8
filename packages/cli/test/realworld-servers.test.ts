import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * Issue 11: every file of ../shared/realworld/configs/{terraform,compose,ecs}/ (configurations other
 * projects wrote), read through the CLI as a user would, against the values determined from the
 * products' documentation (expected.json, with the reasoning for each). The files are read where
 * they are, never copied.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CORPUS = join(ROOT, '..', 'shared', 'realworld', 'configs');

type Value = number | 'unset' | 'disabled' | 'unbounded' | 'not-read' | 'out-of-scope';

interface ExpectedSide {
  readonly label: string;
  readonly reader: Value;
  readonly expert: Value;
  readonly agrees: boolean;
  readonly note?: string;
}

interface ExpectedFile {
  readonly file: string;
  readonly source: 'terraform' | 'compose' | 'ecs';
  readonly role: 'pool' | 'server';
  readonly exit: number;
  readonly error?: string;
  readonly findings?: readonly string[];
  readonly diagnostic?: string;
  readonly sides: readonly ExpectedSide[];
  readonly why: string;
}

const expected: { files: ExpectedFile[] } = JSON.parse(
  readFileSync(new URL('./realworld-servers/expected.json', import.meta.url), 'utf8'),
);

function readerValue(fact: any): Value {
  return fact.valueType === 'duration' ? fact.valueMs : fact.valueType;
}

describe('real-world configurations: terraform, compose, ecs (issue 11)', () => {
  it('expected.json covers every file of the three folders, and `agrees` says whether reader = expert', () => {
    const present = ['terraform', 'compose', 'ecs'].flatMap((kind) =>
      readdirSync(join(CORPUS, kind)).map((name) => `${kind}/${name}`),
    );
    const covered = new Set(expected.files.map((f) => f.file));
    assert.deepEqual(
      present.filter((f) => !covered.has(f)),
      [],
      'files in the corpus without expected values',
    );
    for (const f of expected.files)
      for (const side of f.sides)
        assert.equal(side.agrees, side.reader === side.expert, `${f.file} ${side.label}`);
  });

  for (const entry of expected.files) {
    const disagreements = entry.sides.filter((s) => !s.agrees).map((s) => s.label);
    const title = `${entry.file} (${entry.role})${disagreements.length ? ` — differs from the docs: ${disagreements.join(', ')}` : ''}`;
    it(title, async () => {
      const source = `${entry.source}:${join(CORPUS, entry.file)}`;
      const args =
        entry.role === 'pool'
          ? ['check', '--lb', source, '--backend', '2h', '--json']
          : ['check', '--lb', '60s', '--backend', source, '--json'];
      const result = await runCli(args);
      assert.equal(result.code, entry.exit, `${result.stderr}\n${result.stdout.slice(0, 2000)}`);
      if (entry.error) {
        assert.match(result.stderr, new RegExp(entry.error));
        return;
      }
      const doc = parseJson(result);
      for (const id of entry.findings ?? [])
        assert.ok(
          doc.findings.some((f: any) => f.id === id),
          `${id} not in ${doc.findings.map((f: any) => f.id)}`,
        );
      if (entry.diagnostic) {
        const messages = doc.findings.map((f: any) => String(f.details?.message ?? '')).join('\n');
        assert.match(messages, new RegExp(entry.diagnostic));
      }
      const subject = entry.role === 'pool' ? 'pool-idle' : 'server-keepalive';
      const sides = doc.hops.map((h: any) => (entry.role === 'pool' ? h.client : h.server));
      assert.equal(sides.length, entry.sides.length, `sides: ${sides.map((s: any) => s.label).join(' | ')}`);
      for (const want of entry.sides) {
        const side = sides.find((s: any) => s.label.includes(want.label));
        assert.ok(side, `no side ${want.label} in ${sides.map((s: any) => s.label).join(' | ')}`);
        const fact = side.facts.find((f: any) => f.subject === subject);
        assert.ok(fact, `${want.label}: no ${subject} fact`);
        assert.equal(readerValue(fact), want.reader, `${want.label}: ${JSON.stringify(fact.notes)}`);
        if (want.note)
          assert.ok(
            (fact.notes ?? []).some((n: string) => new RegExp(want.note!).test(n)),
            `${want.label}: no note /${want.note}/ in ${JSON.stringify(fact.notes)}`,
          );
      }
    });
  }
});

describe('terraform-aws-alb examples with the module where their repository has it (../../)', () => {
  // The examples call `source = "../../"`: the repository root, which the corpus keeps as
  // terraform-aws-alb__module/. The files are read from ../shared and laid out in a temporary
  // folder (outside the project, removed after) the way the repository has them.
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kap-tf-alb-'));
    const module = join(CORPUS, 'terraform', 'terraform-aws-alb__module');
    for (const name of ['main.tf', 'variables.tf'])
      await writeFile(join(dir, name), readFileSync(join(module, name)));
    for (const example of ['complete-alb', 'complete-nlb']) {
      await mkdir(join(dir, 'examples', example), { recursive: true });
      await writeFile(
        join(dir, 'examples', example, 'main.tf'),
        readFileSync(join(CORPUS, 'terraform', `terraform-aws-alb__${example}-main.tf`)),
      );
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('complete-alb: module.alb gets the provider default 60 s (no idle_timeout passed) and client_keep_alive 7200 s', async () => {
    const result = await runCli([
      'check',
      '--lb',
      `terraform:${dir}#module.alb.aws_lb.this`,
      '--backend',
      '2h',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const hop = parseJson(result).hops[0];
    assert.equal(hop.clientIdleMs, 60_000);
    const fact = hop.client.facts.find((f: any) => f.subject === 'pool-idle');
    assert.ok(fact.notes.some((n: string) => /var\.idle_timeout defaults to null/.test(n)));
    const server = await runCli([
      'check',
      '--lb',
      '1s',
      '--backend',
      `terraform:${dir}#module.alb.aws_lb.this`,
      '--json',
    ]);
    const lifetime = parseJson(server).hops[0].server.facts.find(
      (f: any) => f.subject === 'connection-lifetime',
    );
    assert.equal(lifetime.valueMs, 7_200_000);
  });

  it('complete-nlb: module.nlb is a network load balancer, out of this race', async () => {
    const result = await runCli([
      'check',
      '--lb',
      `terraform:${dir}#module.nlb.aws_lb.this`,
      '--backend',
      '2h',
      '--json',
    ]);
    const hop = parseJson(result).hops[0];
    assert.equal(hop.client.product, 'aws-nlb');
  });
});
