import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { keyInWindow, listingPrefixes } from '../src/diagnose/s3.js';
import { BIN, parseJson, runCli } from './cli-helpers.js';

/** The diagnose command's inputs, outputs and bad-input handling, on real files (no servers). */

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/logs/', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../../bench/diagnose-throughput/generate.mjs', import.meta.url));
let dir: string;
let sample: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-diagnose-'));
  sample = join(dir, 'sample-alb.log');
  execFileSync(process.execPath, [GENERATOR, 'alb', sample, '2'], { stdio: 'ignore' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('diagnose: inputs', () => {
  it('reads folders recursively, .gz files and globs; formats are detected per file', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'sub'), { recursive: true });
    copyFileSync(`${FIXTURES}alb.log`, join(root, 'a.log'));
    writeFileSync(join(root, 'sub', 'b.log.gz'), gzipSync(readFileSync(`${FIXTURES}alb.log`)));
    copyFileSync(`${FIXTURES}haproxy.log`, join(root, 'sub', 'c.log'));
    const all = parseJson(await runCli(['diagnose', root, '--json']));
    assert.deepEqual(
      all.inputs.map((i: Record<string, unknown>) => i.format),
      ['alb', 'alb', 'haproxy'],
    );
    assert.equal(all.formats.find((f: Record<string, unknown>) => f.id === 'alb').lines, 26);
    assert.equal(all.malformedLines, 3 + 3 + 1);
    const globbed = parseJson(await runCli(['diagnose', `${root}/**/*.gz`, '--json']));
    assert.equal(globbed.inputs.length, 1);
    assert.equal(globbed.lines, 13);
  });

  it('reads stdin (-) like a file', async () => {
    const text = readFileSync(`${FIXTURES}envoy.log`, 'utf8');
    const fromStdin = parseJson(await runCli(['diagnose', '-', '--json'], { input: text }));
    const fromFile = parseJson(await runCli(['diagnose', `${FIXTURES}envoy.log`, '--json']));
    assert.deepEqual(fromStdin.counts, fromFile.counts);
    assert.equal(fromStdin.verdict, fromFile.verdict);
    assert.equal(fromStdin.inputs[0].format, 'envoy');
  });

  it('a truncated .gz is reported by name and what was read before the cut still counts', async () => {
    const whole = gzipSync(readFileSync(sample));
    const cut = join(dir, 'cut.log.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = await runCli(['diagnose', cut, '--json']);
    const d = parseJson(r);
    assert.equal(d.truncatedInputs.length, 1);
    assert.equal(d.truncatedInputs[0].file, cut);
    assert.match(d.truncatedInputs[0].reason, /truncated/);
    assert.ok(d.requests > 1000, String(d.requests));
    assert.ok(d.reasons.some((x: Record<string, unknown>) => x.code === 'truncated-input'));
    const human = await runCli(['diagnose', cut]);
    assert.match(human.stdout, /truncated: .*cut\.log\.gz/);
  });

  it('byte ranges across worker threads give the same counts and line numbers as one thread', async () => {
    const env = { KEEPALIVE_PARITY_DIAGNOSE_RANGE_BYTES: '200000' };
    const one = parseJson(await runCli(['diagnose', sample, '--json', '--jobs', '1'], { env }));
    const two = parseJson(await runCli(['diagnose', sample, '--json', '--jobs', '2'], { env }));
    assert.equal(two.lines, one.lines);
    assert.deepEqual(two.counts, one.counts);
    assert.deepEqual(
      two.examples.map((e: Record<string, unknown>) => `${e.key}@${e.line}`).sort(),
      one.examples.map((e: Record<string, unknown>) => `${e.key}@${e.line}`).sort(),
    );
    // Each example's line number points at that very line of the file.
    const lines = readFileSync(sample, 'utf8').split('\n');
    for (const e of two.examples) assert.equal(lines[e.line - 1]!.slice(0, 200), e.text.slice(0, 200));
  });

  it('--since/--until keep only lines in the window', async () => {
    const d = parseJson(
      await runCli([
        'diagnose',
        `${FIXTURES}alb.log`,
        '--json',
        '--since',
        '2018-07-02T22:24:00Z',
        '--until',
        '2018-07-02T22:24:08Z',
      ]),
    );
    assert.equal(d.requests, 3);
    assert.equal(d.outsideWindowLines, 7);
  });
});

describe('diagnose: bad input', () => {
  it('a missing file is a usage error naming it (exit 2)', async () => {
    const r = await runCli(['diagnose', join(dir, 'nope.log')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope\.log/);
  });

  it('no input in a known format → exit 2 naming the file', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    const r = await runCli(['diagnose', junk]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /junk\.txt.*not recognised/);
  });

  it('bad flags are usage errors', async () => {
    assert.equal((await runCli(['diagnose', '--jobs', '0', sample])).code, 2);
    assert.equal((await runCli(['diagnose', '--since', 'yesterday', sample])).code, 2);
    assert.equal((await runCli(['diagnose', '--format', 'nope', sample])).code, 2);
    assert.equal((await runCli(['diagnose', '--emit-sql', 'mysql'])).code, 2);
    assert.equal((await runCli(['diagnose'])).code, 2);
  });

  it('a forced format that parses nothing is exit 2 naming the file, line and reason, never a verdict', async () => {
    const r = await runCli(['diagnose', `${FIXTURES}alb.log`, '--format', 'haproxy', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /nothing could be read: none of the 13 lines/);
    assert.ok(r.stderr.includes(`${FIXTURES}alb.log:1:`), r.stderr);
    assert.match(r.stderr, /forced with --format haproxy/);
  });

  it('a forced format that parses some lines counts the others as malformed and samples them', async () => {
    const mixed = join(dir, 'mixed.log');
    const alb = readFileSync(`${FIXTURES}alb.log`, 'utf8').split('\n').filter(Boolean);
    writeFileSync(mixed, `${alb.join('\n')}\nnot a log line\n`);
    const base = parseJson(await runCli(['diagnose', `${FIXTURES}alb.log`, '--format', 'alb', '--json']));
    const d = parseJson(await runCli(['diagnose', mixed, '--format', 'alb', '--json']));
    assert.equal(d.malformedLines, base.malformedLines + 1);
    assert.ok(d.requests > 0);
    assert.ok(
      d.malformedSamples.some(
        (x: { file: string; line: number }) => x.file === mixed && x.line === alb.length + 1,
      ),
    );
  });
});

describe('diagnose: outputs', () => {
  it('the human view states the verdict; exit 1 for the race', async () => {
    const r = await runCli(['diagnose', sample]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /verdict: KEEP-ALIVE RACE/);
    assert.match(r.stdout, /idle gap before the request/);
  });

  it('--html writes one self-contained page with charts; every log string is escaped', async () => {
    const evil = join(dir, 'evil.log');
    const line = readFileSync(`${FIXTURES}alb.log`, 'utf8')
      .split('\n')[1]!
      .replace('/orders', '/</script><script>alert(1)</script><img src=x onerror=alert(2)>');
    writeFileSync(evil, `${line}\n${line}\n`);
    const html = join(dir, 'report.html');
    const r = await runCli(['diagnose', evil, '--html', html, '--json']);
    assert.equal(r.code, 0);
    const page = readFileSync(html, 'utf8');
    assert.ok(!page.includes('<script>alert(1)'), 'raw script from the log');
    assert.ok(!page.includes('<img src=x'), 'raw tag from the log');
    assert.ok(page.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(page.includes('uPlot'), 'uPlot is inlined');
    assert.ok(!/(src|href)=["']?https?:/.test(page), 'no external resource');
    assert.equal((page.match(/<\/script>/g) ?? []).length, 3);
  });
});

describe('diagnose: S3 key layout', () => {
  const key = (end: string) =>
    `AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/01/30/123456789012_elasticloadbalancing_eu-west-1_app.web.50dc6c495c0c9188_${end}_10.0.0.1_abcd1234.log.gz`;
  it('skips objects whose 5-minute period is outside [since, until)', () => {
    const since = Date.UTC(2026, 0, 30, 10, 0);
    const until = Date.UTC(2026, 0, 30, 11, 0);
    assert.equal(keyInWindow(key('20260130T1000Z'), since, until), false); // covers 09:55–10:00
    assert.equal(keyInWindow(key('20260130T1005Z'), since, until), true);
    assert.equal(keyInWindow(key('20260130T1100Z'), since, until), true); // covers 10:55–11:00
    assert.equal(keyInWindow(key('20260130T1105Z'), since, until), false);
    assert.equal(keyInWindow('other/layout.log', since, until), true);
  });
  it('lists only the day folders of the window under a region prefix', () => {
    const prefixes = listingPrefixes(
      'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/',
      Date.UTC(2026, 0, 30, 10),
      Date.UTC(2026, 0, 31, 1),
    );
    assert.deepEqual(
      prefixes.map((p) => p.slice(-11)),
      ['/2026/01/30/', '/2026/01/31/', '/2026/02/01/'].map((s) => s.slice(-11)),
    );
    assert.deepEqual(listingPrefixes('logs/', Date.UTC(2026, 0, 30)), ['logs/']);
  });
});

describe('diagnose: long runs', () => {
  let big: string;
  before(() => {
    big = join(dir, 'big-alb.log');
    execFileSync(process.execPath, [GENERATOR, 'alb', big, '40'], { stdio: 'ignore' });
  });

  it('draws a progress bar on stderr only when it is a terminal', async () => {
    const piped = await runCli(['diagnose', big, '--json', '--jobs', '1']);
    assert.equal(piped.stderr, '');
    // `script` gives the command a pseudo-terminal.
    const tty = spawnSync(
      'script',
      ['-qec', `${process.execPath} ${BIN} diagnose ${big} --jobs 1 > /dev/null`, '/dev/null'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(tty.status, 1, tty.stderr);
    assert.match(tty.stdout, /\[#* *\] +\d+% \d+ MB [\d.]+ MB\/s/);
  });

  it('Ctrl-C ends the run and prints what was read so far', async () => {
    // stdin stays open after the first lines, so the command is certainly running when interrupted.
    const child = spawn(process.execPath, [BIN, 'diagnose', '-', '--json', '--no-progress'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stdin.write(readFileSync(`${FIXTURES}alb.log`));
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const interrupt = setTimeout(() => child.kill('SIGINT'), 3000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(kill);
    clearTimeout(interrupt);
    child.stdin.destroy();
    const d = JSON.parse(stdout);
    assert.equal(d.interrupted, true);
    assert.equal(d.lines, 13);
    assert.equal(d.truncatedInputs.length, 0);
    assert.equal(code, 130);
  });
});
