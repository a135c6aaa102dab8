import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../src/commands/index.js';
import { parseJson, runCli } from './cli-helpers.js';

describe('defaults (spawned CLI)', () => {
  it('gunicorn --json gives the setting name, unit, default and source URL', async () => {
    const result = await runCli(['defaults', 'gunicorn', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const doc = parseJson(result);
    const entry = doc.entries.find((e: any) => e.id === 'gunicorn/keepalive');
    assert.ok(entry, JSON.stringify(doc.entries.map((e: any) => e.id)));
    assert.equal(entry.setting, 'keepalive');
    assert.equal(entry.unit, 'seconds');
    assert.equal(entry.defaultMs, 2000);
    assert.match(entry.sourceUrl, /^https:\/\/github\.com\/benoitc\/gunicorn\//);
    assert.equal(entry.verified, true);
  });

  it('the human view marks unverified rows', async () => {
    const result = await runCli(['defaults', 'Azure']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /UNVERIFIED/);
  });

  it('an unknown product is an input error', async () => {
    const result = await runCli(['defaults', 'no-such-thing-at-all']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no knowledge-base entry matches/);
  });

  it('--products lists the ids runtime: accepts', async () => {
    const doc = parseJson(await runCli(['defaults', '--products', '--json']));
    assert.ok(doc.products.some((p: any) => p.id === 'gunicorn' && p.asServer));
  });
});

describe('--help', () => {
  it('every registered command shows usage and an example', async () => {
    assert.ok(COMMANDS.length >= 3);
    for (const command of COMMANDS) {
      const result = await runCli([command.name, '--help']);
      assert.equal(result.code, 0, command.name);
      assert.match(result.stdout, /Usage: keepalive-parity/, command.name);
      assert.match(
        result.stdout,
        /Examples?:\n\s+(#.*\n\s+)?keepalive-parity /,
        `${command.name} --help shows an example`,
      );
    }
  });

  it('the top-level help lists every command', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const command of COMMANDS) assert.match(result.stdout, new RegExp(`\\b${command.name}\\b`));
  });
});
