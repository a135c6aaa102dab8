import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli-helpers.js';
import { comparable, sqlParity } from './diagnose-helpers/sql-parity.js';

/**
 * `--emit-sql duckdb` run by embedded DuckDB (loaded lazily) over the same ALB files, its result
 * written as DuckDB writes CSV/JSON, and read back by `--from-sql-result`, gives the streaming
 * engine's report: counts, idle-gap tables, per-minute series, keep-alive estimate and verdict.
 * What SQL cannot carry (example lines, the per-request join) is checked to be absent, not equal.
 */

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/logs/', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../../bench/diagnose-throughput/generate.mjs', import.meta.url));
/** Public ALB lines (Lambda 502s whose error_reason names the cause), read from ../shared. */
const REALWORLD_ALB = fileURLToPath(
  new URL('../../../../shared/realworld/log-lines/alb.log', import.meta.url),
);
let dir: string;
let sample: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-diagnose-sql-'));
  sample = join(dir, 'sample-alb.log');
  execFileSync(process.execPath, [GENERATOR, 'alb', sample, '8'], { stdio: 'ignore' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function parity(inputs: string[], name: string, format: 'csv' | 'json', args: string[] = []) {
  return sqlParity(inputs, args, { dir, name, format });
}

describe('diagnose --emit-sql duckdb / --from-sql-result', () => {
  it('the benchmark generator output: same idle-gap tables, estimate, per minute and verdict (keepalive-race)', async () => {
    const { engine, fromSql, result } = await parity([sample], 'generated', 'csv');
    assert.equal(engine.verdict, 'keepalive-race');
    // The generator's 502s follow idle gaps of over a second: the table must show them there.
    assert.ok(engine.idleGaps.buckets[5].raceCandidates > 0, JSON.stringify(engine.idleGaps.buckets));
    assert.deepEqual(fromSql.idleGaps, engine.idleGaps);
    assert.deepEqual(fromSql.keepAliveEstimate, engine.keepAliveEstimate);
    assert.deepEqual(comparable(fromSql), comparable(engine));
    assert.deepEqual(fromSql.examples, []);
    assert.match(fromSql.inputs[0].note, /no example lines/);
    // The HTML report renders from the SQL result too.
    const html = join(dir, 'report.html');
    const human = await runCli(['diagnose', '--from-sql-result', result, '--html', html]);
    assert.equal(human.code, 1, human.stderr);
    assert.match(human.stdout, /verdict: KEEP-ALIVE RACE/);
    assert.match(readFileSync(html, 'utf8'), /keepalive-race/);
  });

  it('several files (generated, fixture and public real ALB lines; idle gaps per file) as JSON lines', async () => {
    const inputs = [sample, `${FIXTURES}alb.log`, REALWORLD_ALB];
    const { engine, fromSql } = await parity(inputs, 'mixed', 'json');
    // The classification of every 5xx, including the Lambda causes of the public lines.
    assert.ok(engine.counts.length >= 4, JSON.stringify(engine.counts));
    assert.deepEqual(comparable(fromSql), comparable(engine));
    // ALB has no proxy error log: the streaming engine joined nothing either.
    assert.equal(engine.join.joined, 0);
    assert.equal(fromSql.requests, engine.requests);
    assert.ok(engine.malformedLines > 0, 'the fixture has malformed lines the SQL table drops');
    assert.equal(fromSql.malformedLines, 0);
    assert.equal(fromSql.join.joined, 0);
  });

  it('a result that is not the query: exit 2 naming file, line and field', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'section,k,i,a,b,c,d\ntotal,,,10,1,2,0\nminute,,5,x,0,0,0\n');
    const r = await runCli(['diagnose', '--from-sql-result', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.csv:3: column a is not a count/);
    writeFileSync(bad, 'generator,status,cause,requests\nlb,502,unknown,3\n');
    const old = await runCli(['diagnose', '--from-sql-result', bad]);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /bad\.csv:1: header has no column section/);
    writeFileSync(bad, 'section,k,i,a,b,c,d\ntotal,,,0,,,0\n');
    const empty = await runCli(['diagnose', '--from-sql-result', bad]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no request/);
    writeFileSync(bad, 'section,k,i,a,b,c,d\ntotal,haproxy,,10,1,2,0\nflag,bogus,,1,,,\n');
    const flag = await runCli(['diagnose', '--from-sql-result', bad]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /bad\.csv:3: flag "bogus" is not retried\|mid-response\|outside-window/);
    writeFileSync(bad, 'section,k,i,a,b,c,d\ntotal,Not A Format!,,10,1,2,0\n');
    const format = await runCli(['diagnose', '--from-sql-result', bad]);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /bad\.csv:2: k is not a format id/);
    // The window belongs to the query: given here it would be silently ignored, so it is refused.
    const windowed = await runCli(['diagnose', '--from-sql-result', bad, '--since', '2026-01-01']);
    assert.equal(windowed.code, 2);
    assert.match(windowed.stderr, /--since does not apply/);
  });

  it('Athena and Trino differ from DuckDB only in the epoch-seconds expression, and honour --since/--until', async () => {
    const duck = (await runCli(['diagnose', '--emit-sql', 'duckdb', sample])).stdout;
    const athena = (await runCli(['diagnose', '--emit-sql', 'athena'])).stdout;
    const trino = (await runCli(['diagnose', '--emit-sql', 'trino'])).stdout;
    const duckQuery = duck.slice(duck.indexOf('-- keepalive-parity diagnose'));
    const dialect = (s: string) =>
      s
        .replace(/epoch\(CAST\(substr\((\w+), 1, 19\) AS TIMESTAMP\)\)/g, 'SECONDS($1)')
        .replace(
          /to_unixtime\(from_iso8601_timestamp\(concat\(substr\((\w+), 1, 19\), 'Z'\)\)\)/g,
          'SECONDS($1)',
        )
        .replace(/flavour \w+/, 'flavour X');
    assert.equal(dialect(athena), dialect(duckQuery));
    assert.equal(trino, athena.replace('flavour athena', 'flavour trino'));
    assert.match(athena, /start_ms - lag\(time_ms\) OVER \(PARTITION BY file, target ORDER BY time_ms\)/);
    const windowed = await runCli([
      'diagnose',
      '--emit-sql',
      'athena',
      '--table',
      'logs.alb',
      '--since',
      '2026-01-30',
      '--until',
      '2026-01-31',
    ]);
    assert.match(windowed.stdout, /FROM logs\.alb/);
    assert.match(windowed.stdout, /time_ms >= 1769731200000 \/\* 2026-01-30T00:00:00.000Z \*\//);
    assert.match(windowed.stdout, /time_ms < 1769817600000 /);
  });
});
