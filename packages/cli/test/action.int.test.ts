import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { splitArgs } from '../../../action/main.mjs';
import { awsTestEnv, type Elbv2Server, startElbv2Server } from './aws-helpers/elbv2-server.js';
import { validateSarif } from './format-helpers/sarif-validator.js';

/**
 * The GitHub Action's entry point (action/main.mjs) run as the runner runs it: the environment
 * GitHub sets (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_WORKSPACE, INPUT_*), the workspace as cwd.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = join(ROOT, 'action/main.mjs');
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface ActionRun {
  readonly code: number | null;
  readonly summary: string;
  readonly outputs: Record<string, string>;
  readonly sarif: any;
  readonly sarifText: string;
  readonly stderr: string;
}

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Parses $GITHUB_OUTPUT (`name<<DELIM` … `DELIM` blocks, or `name=value`). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      while (lines[++i] !== heredoc[2]) value.push(lines[i]!);
      out[heredoc[1]!] = value.join('\n');
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

function runAction(
  workspace: string,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kap-action-'));
  temps.push(dir);
  const summaryFile = join(dir, 'step-summary.md');
  const outputFile = join(dir, 'output.txt');
  // A node action gets INPUT_<NAME> with '-' kept (INPUT_SARIF-FILE); the composite action passes
  // INPUT_SARIF_FILE: both are read.
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      cwd: workspace,
      env: {
        ...process.env,
        ...env,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_OUTPUT: outputFile,
        ...inputEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const read = (f: string) => {
        try {
          return readFileSync(f, 'utf8');
        } catch {
          return '';
        }
      };
      const outputs = parseOutputs(read(outputFile));
      const sarifText = outputs['sarif-file'] ? read(outputs['sarif-file']) : '';
      resolve({
        code,
        summary: read(summaryFile),
        outputs,
        sarifText,
        sarif: sarifText ? JSON.parse(sarifText) : undefined,
        stderr,
      });
    });
  });
}

describe('GitHub Action (action.yml + action/main.mjs)', () => {
  it('action.yml: composite, inputs command/args/sarif-file, outputs verdict/counts, runs the entry point', () => {
    const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    assert.equal(action.runs.using, 'composite');
    assert.deepEqual(Object.keys(action.inputs), ['command', 'args', 'sarif-file']);
    for (const name of ['verdict', 'counts']) assert.ok(action.outputs[name], name);
    const step = action.runs.steps.find((s: any) => s.id === 'run');
    assert.match(step.run, /action\/main\.mjs/);
    assert.deepEqual(Object.keys(step.env).sort(), ['INPUT_ARGS', 'INPUT_COMMAND', 'INPUT_SARIF_FILE']);
  });

  it('build time, violating repository: exit 1, verdict violation, counts, a table of hops, valid SARIF', async () => {
    const workspace = join(FIXTURES, 'scan-repo');
    const sarifFile = join(mkdtempSync(join(tmpdir(), 'kap-action-sarif-')), 'results/kap.sarif');
    temps.push(join(sarifFile, '../..'));
    const run = await runAction(workspace, { command: 'scan', args: '.', 'sarif-file': sarifFile });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.outputs.verdict, 'violation');
    assert.deepEqual(JSON.parse(run.outputs.counts!), {
      hops: 5,
      holds: 2,
      violation: 3,
      unknown: 0,
      error: 3,
      warning: 1,
      note: 5,
    });
    assert.equal(run.outputs.violations, '3');
    assert.equal(run.outputs['sarif-file'], sarifFile);
    assert.deepEqual(validateSarif(run.sarifText), []);
    // Paths relative to the workspace root, as upload-sarif needs them.
    const uris = run.sarif.runs[0].results
      .filter((r: any) => r.level === 'error')
      .flatMap((r: any) => r.locations.map((l: any) => l.physicalLocation.artifactLocation.uri));
    assert.deepEqual(uris, ['docker-compose.yml', 'k8s/orders.yaml', 'infra/main.tf']);
    // The job summary: a Markdown table with one row per hop, escaped, and the findings.
    assert.match(run.summary, /^## keepalive-parity scan: ❌ violation\n/);
    assert.match(
      run.summary,
      /\| Hop \| Verdict \| Server keep-alive \| Client idle \| Margin \| Required \| Headroom \|/,
    );
    const rows = run.summary.split('\n').filter((l) => /^\| \d\. /.test(l));
    assert.equal(rows.length, 5);
    assert.equal(
      rows[1],
      '| 2. nginx upstream web → compose service web (Next.js standalone (node server.js)) | ❌ violation | 20 s | 30 s | 5 s | 35 s | −10 s |',
    );
    assert.match(
      run.summary,
      /\| ❌ \[keepalive-below-pool-idle\]\(https:[^)]+\/docs\/rules\/keepalive-below-pool-idle\.md\) \| 2 \| docker-compose\.yml:12, nginx\/nginx\.conf:11 \|/,
    );
    assert.match(run.summary, /keep-alive 20 s &lt; nginx upstream web/);
  });

  it('build time, fixed repository: exit 0, verdict holds, no violation', async () => {
    const workspace = join(FIXTURES, 'scan-repo-fixed');
    const dir = mkdtempSync(join(tmpdir(), 'kap-action-sarif-'));
    temps.push(dir);
    const run = await runAction(workspace, {
      command: 'scan',
      args: '',
      'sarif-file': join(dir, 'kap.sarif'),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.outputs.verdict, 'holds');
    assert.equal(JSON.parse(run.outputs.counts!).violation, 0);
    assert.equal(JSON.parse(run.outputs.counts!).error, 0);
    assert.equal(run.outputs.violations, '0');
    assert.match(run.summary, /^## keepalive-parity scan: ✅ holds\n/);
    assert.equal(run.summary.split('\n').filter((l) => /^\| \d\. .*✅ holds/.test(l)).length, 5);
    assert.deepEqual(validateSarif(run.sarifText), []);
  });

  describe('deploy time: assert --lb alb:NAME against a local ELBv2 API', () => {
    let server: Elbv2Server;
    before(async () => {
      server = await startElbv2Server([
        { name: 'web', attributes: { 'idle_timeout.timeout_seconds': '60' } },
      ]);
    });
    after(async () => {
      await server?.close();
    });

    for (const [backend, code, verdict] of [
      ['75s', 0, 'holds'],
      ['30s', 1, 'violation'],
    ] as const) {
      it(`backend ${backend}: exit ${code}, verdict ${verdict}`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'kap-action-deploy-'));
        temps.push(dir);
        const run = await runAction(
          dir,
          {
            command: 'assert',
            args: `--lb alb:web --backend "${backend}" --margin 5s`,
            'sarif-file': 'kap.sarif',
          },
          awsTestEnv(server.url),
        );
        assert.equal(run.code, code, run.stderr);
        assert.equal(run.outputs.verdict, verdict);
        assert.equal(run.outputs['sarif-file'], join(dir, 'kap.sarif'));
        assert.match(
          run.summary,
          new RegExp(
            `\\| 1\\. ALB web → backend \\| .* \\| ${backend.replace('s', ' s')} \\| 60 s \\| 5 s \\| 65 s \\|`,
          ),
        );
        assert.doesNotMatch(run.summary + run.stderr, /test-secret-not-real|AKIDEXAMPLETESTONLY/);
        // Nothing was read from a file: the SARIF cannot go to code scanning, and the action says so.
        if (verdict === 'violation')
          assert.match(run.stderr, /::warning::keepalive-parity: \d+ finding\(s\) have no file location/);
      });
    }
  });

  it('bad input: an unknown command or a usage error is exit 2 with verdict error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kap-action-bad-'));
    temps.push(dir);
    const wrong = await runAction(dir, { command: 'lab', args: '' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /::error::keepalive-parity: input command must be one of scan, assert/);
    const usage = await runAction(dir, { command: 'assert', args: '--lb 60s' });
    assert.equal(usage.code, 2);
    assert.equal(usage.outputs.verdict, 'error');
    assert.match(usage.stderr, /assert: --backend is missing/);
    assert.match(usage.summary, /error/);
  });

  it('args are split like a shell: quotes and escapes', () => {
    assert.deepEqual(splitArgs(`--lb alb:web --backend "75 s" --hops 'my hops.yaml' a\\ b ""`), [
      '--lb',
      'alb:web',
      '--backend',
      '75 s',
      '--hops',
      'my hops.yaml',
      'a b',
      '',
    ]);
    assert.throws(() => splitArgs('"open'), /unterminated/);
  });
});
