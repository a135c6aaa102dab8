/**
 * Start-up stays fast (issue 12): the command registry loads a command only when it runs, and the
 * common paths load none of the heavy dependencies. What is loaded is checked, not how long it
 * takes (timing lives in bench/startup and docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/commands/index.js';

const SHIM = fileURLToPath(new URL('../bin/keepalive-parity.js', import.meta.url));
const HOOK = fileURLToPath(new URL('./support/loaded-modules.mjs', import.meta.url));

/** Heavy dependencies no start-up path may load. */
const HEAVY = [
  '@aws-sdk',
  '@smithy',
  '@duckdb',
  '@cdktf/hcl2json',
  '@modelcontextprotocol',
  'zod',
  'uplot',
  'node:worker_threads',
];

function loadedBy(args: string[]): { code: number | null; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kap-startup-'));
  try {
    const file = join(dir, 'loaded.txt');
    const result = spawnSync(process.execPath, ['--import', HOOK, SHIM, ...args], {
      env: { ...process.env, KAP_LOADED_MODULES_FILE: file, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    let modules: string[] = [];
    try {
      modules = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
    } catch {
      // nothing loaded through the hooks
    }
    return { code: result.status, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('start-up', () => {
  it('each registry entry names and summarises its command as the command module does', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary, entry.name);
    }
  });

  it('--help loads no command module, nothing of the core and no package', () => {
    const { code, modules } = loadedBy(['--help']);
    assert.equal(code, 0);
    assert.ok(
      modules.some((m) => m.endsWith('/dist/main.js')),
      'the hook saw the CLI load',
    );
    const unexpected = modules.filter((m) => m.includes('/commands/') && !m.endsWith('/commands/index.js'));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(
      modules.filter((m) => m.includes('/core/') || m.includes('node_modules') || m.startsWith('cjs:')),
      [],
    );
  });

  for (const args of [
    ['check', '--lb', '60s', '--backend', '65s'],
    ['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json'],
    ['assert', '--backend', '75', '--backend-unit', 's', '--lb', '60s'],
  ]) {
    it(`${args.join(' ')} loads none of the heavy dependencies and no other command`, () => {
      const { code, modules } = loadedBy(args);
      assert.ok(code === 0 || code === 1, `exit ${code}`);
      assert.ok(modules.some((m) => m.endsWith(`/commands/${args[0]}.js`)));
      assert.deepEqual(
        modules.filter((m) => HEAVY.some((h) => m.includes(h))),
        [],
      );
      const otherCommands = COMMANDS.map((c) => c.name).filter((n) => n !== args[0]);
      assert.deepEqual(
        modules.filter((m) => otherCommands.some((n) => m.endsWith(`/commands/${n}.js`))),
        [],
      );
    });
  }
});
