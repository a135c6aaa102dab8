import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';

describe('check (spawned CLI)', () => {
  it("gunicorn's default keep-alive against a 60 s LB: violation, exit 1, both fixes", async () => {
    const result = await runCli(['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json']);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.verdict, 'violation');
    assert.equal(doc.hops.length, 1);
    const hop = doc.hops[0];
    assert.equal(hop.serverKeepAliveMs, 2000);
    assert.equal(hop.clientIdleMs, 60_000);
    assert.equal(hop.requiredMs, 65_000);
    const serverFact = hop.server.facts.find((f: any) => f.subject === 'server-keepalive');
    assert.equal(serverFact.provenance.kind, 'knowledge-base');
    assert.match(serverFact.provenance.sourceUrl, /^https:\/\/.*gunicorn/);
    assert.equal(hop.client.facts[0].provenance.kind, 'command-line');
    const violation = doc.findings.find((f: any) => f.id === 'keepalive-below-pool-idle');
    assert.equal(violation.numbers.shortByMs, 63_000);
    assert.deepEqual(
      violation.fixes.map((f: any) => f.action),
      ['raise-server-keepalive', 'lower-pool-idle'],
    );
    assert.equal(violation.fixes[0].text, 'gunicorn --keep-alive 65');
    assert.ok(doc.findings.some((f: any) => f.id === 'value-from-default'));
  });

  it('the human view shows the hop, both values with their sources, the rule and the fixes', async () => {
    const result = await runCli(['check', '--lb', '60s', '--backend', 'runtime:gunicorn']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /load balancer → gunicorn/);
    assert.match(result.stdout, /given on the command line \(--lb 60s\)/);
    assert.match(result.stdout, /gunicorn default for --keep-alive.*https:\/\//);
    assert.match(result.stdout, /2 s >= 60 s \+ 5 s = 65 s\s+fails \(short by 63 s\)/);
    assert.match(result.stdout, /gunicorn --keep-alive 65/);
    assert.ok(!result.stdout.includes('\u001b['), 'no colours when stdout is not a TTY');
  });

  it('--backend 65s --lb 60s holds (exit 0)', async () => {
    const result = await runCli(['check', '--backend', '65s', '--lb', '60s', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseJson(result).verdict, 'holds');
  });

  it('--backend 62s --lb 60s with the default 5 s margin is a violation', async () => {
    const result = await runCli(['check', '--backend', '62s', '--lb', '60s', '--json']);
    assert.equal(result.code, 1);
    const doc = parseJson(result);
    assert.equal(doc.verdict, 'violation');
    assert.equal(doc.hops[0].marginMs, 5000);
    assert.equal(doc.findings.find((f: any) => f.id === 'keepalive-below-pool-idle').numbers.shortByMs, 3000);
  });

  it('--margin changes the requirement', async () => {
    const result = await runCli(['check', '--backend', '62s', '--lb', '60s', '--margin', '2s', '--json']);
    assert.equal(result.code, 0);
  });

  it('a product literal gets product fixes and reads bare numbers in its unit', async () => {
    const result = await runCli([
      'check',
      '--lb',
      '60',
      '--lb-product',
      'aws-alb',
      '--backend',
      '30000',
      '--backend-product',
      'node',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.hops[0].clientIdleMs, 60_000);
    assert.equal(doc.hops[0].serverKeepAliveMs, 30_000);
    const fixes = doc.findings.find((f: any) => f.id === 'keepalive-below-pool-idle').fixes;
    assert.match(fixes[0].text, /server\.keepAliveTimeout = 65000/);
    assert.match(fixes[1].text, /idle_timeout\.timeout_seconds,Value=25/);
  });

  it('a hop that cannot be judged is verdict unknown and exit 2, with the report still printed', async () => {
    const nlb = await runCli(['check', '--lb', 'runtime:aws-nlb', '--backend', '65s', '--json']);
    assert.equal(nlb.code, 2);
    const doc = parseJson(nlb);
    assert.equal(doc.verdict, 'unknown');
    assert.equal(doc.findings[0].id, 'out-of-scope');
    assert.match(doc.findings[0].message, /L4/);
    const unverified = await runCli(['check', '--lb', 'runtime:azure-appgw', '--backend', '65s']);
    assert.equal(unverified.code, 2);
    assert.match(unverified.stdout, /unknown/);
    assert.match(unverified.stdout, /UNVERIFIED/);
  });

  it('colours only when asked: FORCE_COLOR on, NO_COLOR off', async () => {
    const forced = await runCli(['check', '--lb', '60s', '--backend', '65s'], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    assert.ok(forced.stdout.includes('\u001b['), 'FORCE_COLOR gives colours');
    const plain = await runCli(['check', '--lb', '60s', '--backend', '65s', '--no-color'], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    assert.ok(!plain.stdout.includes('\u001b['), '--no-color wins');
  });

  it('--backend-env names the variable a Node server reads its keep-alive from', async () => {
    const result = await runCli([
      'check',
      '--lb',
      '60s',
      '--backend',
      'cmd:node server.js',
      '--backend-env',
      'APP_KA',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const fact = parseJson(result).hops[0].server.facts[0];
    assert.ok(
      fact.notes.some((n: string) => n.includes('APP_KA is not set')),
      JSON.stringify(fact.notes),
    );
    const misuse = await runCli(['check', '--lb', '60s', '--backend', '65s', '--backend-env', 'APP_KA']);
    assert.equal(misuse.code, 2);
    assert.match(misuse.stderr, /--backend-env applies to cmd:, proc: and image:/);
  });

  it('reads env: sources with a stated unit', async () => {
    const result = await runCli(
      ['check', '--lb', '60s', '--backend', 'env:KA', '--backend-unit', 'ms', '--json'],
      { env: { KA: '75000' } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseJson(result).hops[0].server.facts[0].provenance.variable, 'KA');
  });

  it('usage and input errors exit 2 with one clear line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', '--lb', '60s'], /--backend is missing/],
      [['check'], /nothing to check/],
      [
        ['check', '--lb', '60', '--backend', '65s'],
        /invalid duration "60" for --lb: a bare number has no unit/,
      ],
      [['check', '--lb', '60s', '--backend', 'runtime:nonesuch'], /unknown product "nonesuch"/],
      [['check', '--lb', '60s', '--backend', 'bogus:thing'], /unknown source kind "bogus"/],
      [['check', '--lb', '60s', '--backend', '65s', '--frobnicate'], /Unknown option '--frobnicate'/],
      [
        ['check', '--lb', '60s', '--backend', '65s', '--backend-unit', 'fortnights'],
        /--backend-unit must be one of/,
      ],
      [['nonesuch'], /unknown command "nonesuch"/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
  });

  describe('a hops file with a three-hop chain', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kap-check-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports exactly the wrong (middle) hop', async () => {
      const file = join(dir, 'chain.yaml');
      await writeFile(
        file,
        `# CDN → ALB → nginx → app
chain:
  - name: CloudFront
    pool: runtime:cloudfront        # 5 s origin keep-alive pool
  - name: ALB
    keepalive: 60s
    pool: runtime:aws-alb           # 60 s toward nginx
  - name: nginx
    keepalive: { source: "30", unit: s, product: nginx }   # too short for the ALB
    pool: 60s
  - name: app
    keepalive: 75s
`,
      );
      const result = await runCli(['check', '--hops', file, '--json']);
      assert.equal(result.code, 1, result.stderr);
      const doc = parseJson(result);
      assert.deepEqual(
        doc.hops.map((h: any) => [h.name, h.verdict]),
        [
          ['CloudFront → ALB', 'holds'],
          ['ALB → nginx', 'violation'],
          ['nginx → app', 'holds'],
        ],
      );
      const errors = doc.findings.filter((f: any) => f.severity === 'error');
      assert.deepEqual(
        errors.map((f: any) => f.hopIndex),
        [1],
      );
      assert.equal(errors[0].fixes[0].text, 'keepalive_timeout 65s;');
    });

    it('a broken hops file names its file and line (exit 2)', async () => {
      const file = join(dir, 'broken.yaml');
      await writeFile(file, 'hops:\n  - client: 60s\n    server: soon\n');
      const result = await runCli(['check', '--hops', file]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /invalid duration "soon"/);
      assert.match(result.stderr, /broken\.yaml:3 \(hops\[0\]\.server\)/);
    });
  });
});
