/**
 * Start-up stays fast (issue 12): the shim loads dist/start.cjs, the bundled start-up path
 * (scripts/bundle-cli.mjs: `--help`, `check`, `assert` and the engine in two files), with its V8
 * code cache; every other command is loaded from dist/commands/ only when it runs, and the common
 * paths load none of the heavy dependencies. What is loaded, and whether the cache is used, is
 * checked, not how long it takes (timing lives in bench/startup and docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/commands/index.js';

const SHIM = fileURLToPath(new URL('../bin/keepalive-parity.cjs', import.meta.url));
const HOOK = fileURLToPath(new URL('./support/loaded-modules.mjs', import.meta.url));
const COMPILED_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
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

interface Loaded {
  code: number | null;
  stdout: string;
  /** What passed Node's module loaders: `file:` URLs (ES modules) and `cjs:` requests. */
  modules: string[];
  /** The bundle files the shim loaded, with the code cache state (KAP_DEBUG_START=1). */
  bundle: { file: string; cache: string }[];
}

function loadedBy(args: string[], env: Record<string, string> = {}): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'kap-startup-'));
  try {
    const file = join(dir, 'loaded.txt');
    const result = spawnSync(process.execPath, ['--import', HOOK, SHIM, ...args], {
      env: {
        ...process.env,
        KAP_LOADED_MODULES_FILE: file,
        KAP_DEBUG_START: '1',
        NO_COLOR: '1',
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    let modules: string[] = [];
    try {
      modules = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
    } catch {
      // nothing loaded through the hooks
    }
    const bundle = [
      ...result.stderr.matchAll(/^keepalive-parity: start: (\S+) \(code cache: (\w+)\)$/gm),
    ].map((m) => ({ file: m[1]!, cache: m[2]! }));
    return { code: result.status, stdout: result.stdout, modules, bundle };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Modules other than the shim and Node's built-ins: compiled modules or packages. */
function others(modules: string[]): string[] {
  return modules.filter(
    (m) =>
      !m.endsWith('/bin/keepalive-parity.cjs') &&
      !m.startsWith('node:') &&
      !m.startsWith('cjs:node:') &&
      !/^cjs:(path|fs|url|vm|module|os)$/.test(m),
  );
}

const holdsKnowledgeBase = (file: string) => readFileSync(join(DIST, file), 'utf8').includes(KB_MARK);

describe('start-up', () => {
  it('each registry entry names and summarises its command as the command module does', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary, entry.name);
    }
  });

  it('--help loads dist/start.cjs alone: no knowledge base, no command, no package', () => {
    const { code, modules, bundle } = loadedBy(['--help']);
    assert.equal(code, 0);
    assert.deepEqual(
      bundle.map((b) => b.file),
      ['start.cjs'],
    );
    assert.ok(!holdsKnowledgeBase('start.cjs'));
    assert.deepEqual(others(modules), []);
  });

  for (const args of [
    ['check', '--lb', '60s', '--backend', '65s'],
    ['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json'],
    ['assert', '--backend', '75', '--backend-unit', 's', '--lb', '60s'],
  ]) {
    it(`${args.join(' ')} runs from the bundle alone: two files, no compiled module, no package`, () => {
      const { code, modules, bundle } = loadedBy(args);
      assert.ok(code === 0 || code === 1, `exit ${code}`);
      // dist/start.cjs and the one start-up chunk with the engine (scripts/bundle-cli.mjs).
      assert.equal(bundle.length, 2, JSON.stringify(bundle));
      assert.equal(bundle[0]!.file, 'start.cjs');
      assert.match(bundle[1]!.file, /^start-[\w-]+\.cjs$/);
      assert.ok(holdsKnowledgeBase(bundle[1]!.file));
      assert.deepEqual(others(modules), []);
      assert.deepEqual(
        modules.filter((m) => HEAVY.some((h) => m.includes(h))),
        [],
      );
    });
  }

  it('the code cache: written on the first run (old ones swept), used on the next, rewritten when V8 rejects it, never trusted in a folder others can write', () => {
    const cache = mkdtempSync(join(tmpdir(), 'kap-cache-'));
    try {
      const env = { KAP_CACHE_DIR: cache };
      const args = ['check', '--lb', '60s', '--backend', 'runtime:gunicorn'];
      // An old build's cache (40 days unwritten), a recent one, and a file that is not a cache.
      const old = 'start.cjs.0123456789abcdef0123456789abcdef.1.2.v22.0.0-x64.v8';
      const recent = 'start-OtherBld.cjs.OtherBld.3.4.v22.0.0-x64.v8';
      for (const name of [old, recent, 'notes.txt']) writeFileSync(join(cache, name), 'x');
      const fortyDaysAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
      utimesSync(join(cache, old), fortyDaysAgo, fortyDaysAgo);
      utimesSync(join(cache, 'notes.txt'), fortyDaysAgo, fortyDaysAgo);
      const first = loadedBy(args, env);
      assert.equal(first.code, 1);
      assert.deepEqual(
        first.bundle.map((b) => b.cache),
        ['miss', 'miss'],
      );
      // Writing the new cache swept the old build's, and only it.
      const all = readdirSync(cache).sort();
      assert.ok(!all.includes(old), all.join(' '));
      assert.ok(all.includes(recent) && all.includes('notes.txt'), all.join(' '));
      const files = all.filter((f) => f !== recent && f !== 'notes.txt');
      assert.equal(files.length, 2, files.join(' '));
      for (const f of files) {
        assert.match(f, new RegExp(`\\.${process.version}-${process.arch}\\.v8$`));
        if (process.platform !== 'win32') assert.equal(statSync(join(cache, f)).mode & 0o777, 0o600);
      }
      const second = loadedBy(args, env);
      assert.deepEqual(
        second.bundle.map((b) => b.cache),
        ['hit', 'hit'],
      );
      assert.equal(second.stdout, first.stdout);
      // A cache that does not fit (here: bytes of nothing) is rejected by V8, the file compiled
      // as usual, and the cache written again.
      const chunkCache = files.find((f) => f.startsWith('start-'))!;
      writeFileSync(join(cache, chunkCache), Buffer.alloc(4096, 7));
      const third = loadedBy(args, env);
      assert.deepEqual(
        third.bundle.map((b) => b.cache),
        ['hit', 'rejected'],
      );
      assert.equal(third.stdout, first.stdout);
      assert.deepEqual(
        loadedBy(args, env).bundle.map((b) => b.cache),
        ['hit', 'hit'],
      );
      assert.deepEqual(
        loadedBy(args, { ...env, KAP_NO_CACHE: '1' }).bundle.map((b) => b.cache),
        ['off', 'off'],
      );
      if (process.platform !== 'win32') {
        chmodSync(cache, 0o777);
        const shared = loadedBy(args, env);
        assert.deepEqual(
          shared.bundle.map((b) => b.cache),
          ['off', 'off'],
        );
        assert.equal(shared.stdout, first.stdout);
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

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
