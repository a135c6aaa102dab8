// The packages as users get them: `npm pack` of core, node and cli, the three tarballs installed
// into an empty folder with `npm install` (no workspace links, dependencies from the registry),
// then the installed CLI run from there. Needs `npm run build` first. Run by .ci/run:
//   node --test scripts/ci/packages.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['packages/core', 'packages/node', 'packages/cli'];
const dir = mkdtempSync(join(tmpdir(), 'kap-packages-'));
const app = join(dir, 'app');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ...result, both: `${result.stdout}\n--- stderr ---\n${result.stderr}` };
}

before(() => {
  const packed = run(
    'npm',
    ['pack', '--json', '--pack-destination', dir, ...PACKAGES.flatMap((p) => ['-w', p])],
    root,
  );
  assert.equal(packed.status, 0, packed.both);
  const tarballs = JSON.parse(packed.stdout).map((p) => join(dir, p.filename));
  assert.equal(tarballs.length, 3);
  run('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), '{ "name": "kap-user", "private": true }\n');
  const installed = run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], app);
  assert.equal(installed.status, 0, installed.both);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('each package declares files, exports, engines, license, repository and has a README', () => {
  for (const path of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
    for (const field of ['files', 'exports', 'engines', 'license', 'repository'])
      assert.ok(manifest[field], `${path}/package.json: no "${field}"`);
    assert.ok(existsSync(join(root, path, 'README.md')), `${path}: no README.md`);
    const installed = join(app, 'node_modules', manifest.name);
    assert.ok(existsSync(join(installed, 'README.md')), `${manifest.name}: README.md not in the tarball`);
    assert.ok(
      !existsSync(join(installed, 'src')) && !existsSync(join(installed, 'test')),
      'only files listed',
    );
  }
  const cli = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'));
  assert.deepEqual(Object.keys(cli.bin), ['keepalive-parity']);
});

test('installed from the tarballs: real copies, not links to the workspace', () => {
  const check = run(
    process.execPath,
    ['-e', 'console.log(require("fs").realpathSync(require.resolve("@keepalive-parity/core")))'],
    app,
  );
  assert.equal(check.status, 0, check.both);
  assert.ok(check.stdout.startsWith(app), check.stdout);
});

const bin = () => join(app, 'node_modules', '.bin', 'keepalive-parity');

test('keepalive-parity --help', () => {
  const help = run(bin(), ['--help'], app);
  assert.equal(help.status, 0, help.both);
  assert.match(help.stdout, /^Usage: keepalive-parity <command>/m);
  assert.match(help.stdout, /^ {2}check /m);
});

test('keepalive-parity check --lb 60s --backend runtime:gunicorn --json: a violation, exit 1', () => {
  const check = run(bin(), ['check', '--lb', '60s', '--backend', 'runtime:gunicorn', '--json'], app);
  assert.equal(check.status, 1, check.both);
  const report = JSON.parse(check.stdout);
  assert.equal(report.verdict, 'violation');
  assert.equal(report.hops[0].serverKeepAliveMs, 2000);
  assert.equal(report.hops[0].clientIdleMs, 60_000);
  assert.equal(check.stderr, '');
});

test('keepalive-parity diagnose on a small ALB log', () => {
  const log = join(app, 'alb.log');
  copyFileSync(join(root, 'packages/core/test/fixtures/logs/alb.log'), log);
  const diagnose = run(bin(), ['diagnose', log, '--json'], app);
  assert.equal(diagnose.status, 0, diagnose.both);
  const report = JSON.parse(diagnose.stdout);
  assert.equal(report.command, 'diagnose');
  assert.deepEqual(
    report.formats.map((f) => [f.id, f.lines]),
    [['alb', 13]],
  );
  assert.equal(report.requests, 10);
  assert.equal(report.malformedLines, 3);
  const human = run(bin(), ['diagnose', log], app);
  assert.equal(human.status, 0, human.both);
  assert.match(human.stdout, /^diagnose: 1 input \(alb: 13 lines\), 10 requests/m);
});
