/**
 * Start-up stays fast (issue 12): the shim loads dist/start.js, the bundled start-up path
 * (scripts/bundle-cli.mjs: `--help`, `check`, `assert` and the engine in a few files); every other
 * command is loaded from dist/commands/ only when it runs, and the common paths load none of the
 * heavy dependencies. What is loaded is checked, not how long it takes (timing lives in
 * bench/startup and docs/benchmarks.md).
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
const COMPILED_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** A file of the start-up bundle (dist/start.js and its chunks dist/start-HASH.js). */
const BUNDLE_FILE = /\/cli\/dist\/start(-[\w-]+)?\.js$/;
/** A knowledge-base entry id: text that only the chunk holding the knowledge base contains. */
const KB_MARK = 'aws-application-load-balancer/idle-timeout-timeout-seconds';

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

  it('--help loads the bundle without the engine: no knowledge base, no command, no package', () => {
    const { code, modules } = loadedBy(['--help']);
    assert.equal(code, 0);
    const files = modules.filter((m) => m.startsWith('file:'));
    assert.ok(
      files.some((m) => /\/dist\/start\.js$/.test(m)),
      'the hook saw the bundle load',
    );
    assert.deepEqual(
      files.filter((m) => !m.endsWith('/bin/keepalive-parity.js') && !BUNDLE_FILE.test(m)),
      [],
    );
    // The shim and dist/start.js: two files (each file ESM loads costs about 0.3 ms).
    assert.equal(files.length, 2, files.join('\n'));
    for (const m of files.filter((f) => BUNDLE_FILE.test(f)))
      assert.ok(!readFileSync(fileURLToPath(m), 'utf8').includes(KB_MARK), m);
    assert.deepEqual(
      modules.filter((m) => m.includes('node_modules') || m.startsWith('cjs:')),
      [],
    );
  });

  for (const args of [
    ['check', '--lb', '60s', '--backend', '65s'],
    ['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json'],
    ['assert', '--backend', '75', '--backend-unit', 's', '--lb', '60s'],
  ]) {
    it(`${args.join(' ')} runs from the bundle alone: no compiled module, no package`, () => {
      const { code, modules } = loadedBy(args);
      assert.ok(code === 0 || code === 1, `exit ${code}`);
      const files = modules.filter((m) => m.startsWith('file:'));
      assert.deepEqual(
        files.filter((m) => !m.endsWith('/bin/keepalive-parity.js') && !BUNDLE_FILE.test(m)),
        [],
      );
      // The shim, dist/start.js and the one start-up chunk with the engine (scripts/bundle-cli.mjs).
      assert.equal(files.length, 3, files.join('\n'));
      assert.ok(
        files.some((m) => BUNDLE_FILE.test(m) && readFileSync(fileURLToPath(m), 'utf8').includes(KB_MARK)),
      );
      assert.deepEqual(
        modules.filter(
          (m) => m.includes('node_modules') || m.startsWith('cjs:') || HEAVY.some((h) => m.includes(h)),
        ),
        [],
      );
    });
  }

  it('other commands run from the compiled modules, and their errors stay one clear line', () => {
    const { code, modules } = loadedBy(['lab', '--no-such-option']);
    assert.equal(code, 2);
    assert.ok(modules.some((m) => m.endsWith('/dist/commands/lab.js')));
    const run = spawnSync(process.execPath, [SHIM, 'lab', '--no-such-option'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 2);
    // An error class from the compiled core is recognised by the bundle's copy (a brand, not
    // instanceof): no "internal error" with a stack.
    assert.match(run.stderr, /^keepalive-parity lab: error: .*--no-such-option/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });

  for (const args of [
    ['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json'],
    ['assert', '--lb', '60s', '--backend', 'runtime:uvicorn', '--allow-default', '--json'],
    ['check', '--lb', '60s', '--backend', 'runtime:no-such-server'],
  ]) {
    it(`the bundle and the compiled modules agree: ${args.join(' ')}`, () => {
      const env = { ...process.env, NO_COLOR: '1' };
      const bundled = spawnSync(process.execPath, [SHIM, ...args], {
        encoding: 'utf8',
        env,
        timeout: 30_000,
      });
      const compiled = spawnSync(process.execPath, [COMPILED_BIN, ...args], {
        encoding: 'utf8',
        env,
        timeout: 30_000,
      });
      assert.equal(bundled.status, compiled.status);
      assert.ok(bundled.stdout.length + bundled.stderr.length > 0);
      assert.equal(bundled.stdout, compiled.stdout);
      assert.equal(bundled.stderr, compiled.stderr);
    });
  }
});
