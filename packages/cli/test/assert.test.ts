import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';

const guard = (value: string, extra: string[] = []) =>
  runCli(['assert', '--backend', value, '--backend-unit', 's', '--lb', '60s', '--margin', '5s', ...extra]);

describe('assert (spawned CLI): the build- and deploy-time guard', () => {
  it('passes (exit 0) when the value is high enough', async () => {
    const result = await guard('65');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ok: backend keep-alive 65 s >= load balancer idle 60 s \+ margin 5 s/);
  });

  it('fails (exit 1) when the value is too low, with both fixes on one line', async () => {
    const result = await guard('62');
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^FAIL: backend keep-alive 62 s < load balancer idle 60 s \+ margin 5 s = 65 s/,
    );
    assert.match(result.stdout, /at least 65 s.*OR.*at most 57 s/);
  });

  it('refuses (exit 2) a missing, empty, non-numeric, negative or unit-less value, naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['assert', '--backend', '', '--backend-unit', 's', '--lb', '60s'],
        /invalid duration "" for --backend: the value is empty/,
      ],
      [
        ['assert', '--backend', '   ', '--backend-unit', 's', '--lb', '60s'],
        /invalid duration " {3}" for --backend: the value is empty/,
      ],
      [
        ['assert', '--backend', 'sixty', '--backend-unit', 's', '--lb', '60s'],
        /invalid duration "sixty" for --backend: not a number/,
      ],
      [
        ['assert', '--backend=-5', '--backend-unit', 's', '--lb', '60s'],
        /invalid duration "-5" for --backend: negative/,
      ],
      [
        ['assert', '--backend', '65', '--lb', '60s'],
        /invalid duration "65" for --backend: a bare number has no unit/,
      ],
      [
        ['assert', '--backend', '65x', '--backend-unit', 's', '--lb', '60s'],
        /invalid duration "65x" for --backend: unknown unit "x"/,
      ],
      [['assert', '--lb', '60s'], /--backend is missing/],
      [['assert', '--backend', '65', '--backend-unit', 's'], /--lb is missing/],
      [
        ['assert', '--backend', 'env:UNSET_FOR_TEST', '--backend-unit', 's', '--lb', '60s'],
        /environment variable UNSET_FOR_TEST is not set/,
      ],
      [['assert', '--backend', 'runtime:gunicorn', '--lb', '60s'], /knowledge-base default.*--allow-default/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one clear line: ${result.stderr}`);
    }
  });

  it('accepts a default only with --allow-default', async () => {
    const result = await runCli([
      'assert',
      '--backend',
      'runtime:gunicorn',
      '--lb',
      '60s',
      '--allow-default',
    ]);
    assert.equal(result.code, 1);
  });

  it('an unverified default cannot decide the guard (exit 2)', async () => {
    const result = await runCli([
      'assert',
      '--backend',
      '65s',
      '--lb',
      'runtime:azure-appgw',
      '--allow-default',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot decide: .*UNVERIFIED/);
  });

  it('--json prints the same document as check', async () => {
    const result = await runCli([
      'assert',
      '--backend',
      '62',
      '--backend-unit',
      's',
      '--lb',
      '60s',
      '--json',
    ]);
    assert.equal(result.code, 1);
    const doc = parseJson(result);
    assert.equal(doc.command, 'assert');
    assert.equal(doc.verdict, 'violation');
  });
});
