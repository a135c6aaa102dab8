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
 * The proxy formats' SQL flavours (nginx with any log_format, HAProxy httplog, Caddy JSON access
 * log), run by embedded DuckDB over the benchmark generator's nginx output, the project's fixtures
 * and the public real lines in ../shared/realworld/log-lines, against the streaming engine on the
 * same files: same counts, idle-gap tables, estimate, per-minute series, phases and verdict.
 * The labelled real-proxy corpus is diagnose-sql-corpus.int.test.ts.
 */

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/logs/', import.meta.url));
const REALWORLD = fileURLToPath(new URL('../../../../shared/realworld/log-lines/', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../../../bench/diagnose-throughput/generate.mjs', import.meta.url));
/** The log_format of the generator's nginx lines (as bench/diagnose-throughput/run.mjs gives it). */
const GENERATOR_NGINX_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $msec $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_time';
/** The same lines read through $time_local (whole seconds, with a zone) instead of $msec. */
const GENERATOR_NGINX_FORMAT_LOCAL = GENERATOR_NGINX_FORMAT.replace('$msec', '$pipe');

let dir: string;
let nginxSample: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kap-diagnose-sql-formats-'));
  nginxSample = join(dir, 'sample-nginx.log');
  execFileSync(process.execPath, [GENERATOR, 'nginx', nginxSample, '6'], { stdio: 'ignore' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('diagnose --emit-sql duckdb --format nginx/haproxy/caddy', () => {
  it('the benchmark generator nginx output: same report and verdict (keepalive-race), also in a window', async () => {
    const args = ['--nginx-log-format', GENERATOR_NGINX_FORMAT];
    const { engine, fromSql, result } = await sqlParity([nginxSample], args, {
      dir,
      name: 'nginx',
      format: 'csv',
    });
    // Aggregates only: a few hundred rows for tens of thousands of requests.
    const rows = readFileSync(result, 'utf8').trim().split('\n').length;
    assert.ok(engine.requests > 20_000 && rows < 1000, `${rows} result rows`);
    assert.equal(engine.verdict, 'keepalive-race');
    // The generator's 502s follow idle gaps of over a second, logged with upstream_connect_time 0.
    assert.ok(engine.idleGaps.buckets[5].raceCandidates > 0, JSON.stringify(engine.idleGaps.buckets));
    assert.ok(engine.counts.some((r: { cause: string }) => r.cause === 'upstream-closed-reused-connection'));
    assert.deepEqual(fromSql.idleGaps, engine.idleGaps);
    assert.deepEqual(fromSql.keepAliveEstimate, engine.keepAliveEstimate);
    assert.deepEqual(fromSql.perMinute, engine.perMinute);
    assert.deepEqual(comparable(fromSql), comparable(engine));
    assert.deepEqual(fromSql.formats, [{ id: 'nginx-custom', lines: engine.requests }]);
    // A window: both engines drop the same requests (the SQL as a WHERE on epoch ms).
    const window = ['--since', '2026-11-01T00:05:00Z', '--until', '2026-11-01T00:09:00Z'];
    const windowed = await sqlParity([nginxSample], [...args, ...window], {
      dir,
      name: 'nginx-w',
      format: 'json',
    });
    assert.ok(windowed.engine.requests > 0 && windowed.engine.requests < engine.requests);
    assert.deepEqual(comparable(windowed.fromSql), comparable(windowed.engine));
  });

  it('a log stamped with begin times, one 502 line written late: no gap for it, not a busy connection (both engines)', async () => {
    // Apache's access log through an nginx-style format (diagnose-helpers/harness.ts
    // APACHE_AS_NGINX_LOG_FORMAT): the time is when the request began, a line is written when it
    // ends. Six rounds: two quick requests, then one sent 365 ms after the last response that meets
    // the closed connection (502). Apache under load wrote one 502 after the next request's line
    // (seen in the corpus): that 502 began before the line above it, so its gap is unknown.
    const format =
      '$remote_addr $connection $msec "$request" $status $body_bytes_sent up=http://$upstream_addr';
    const lines: string[] = [];
    const line = (ms: number, rid: number, status: number) =>
      `127.0.0.1 ${rid} ${(ms / 1000).toFixed(3)} "GET /ok?rid=r${rid} HTTP/1.1" ${status} 3 up=http://127.0.0.1:4000`;
    let t = 1_790_000_000_000;
    let rid = 0;
    let late: string | null = null;
    for (let round = 0; round < 6; round++) {
      lines.push(line(t, ++rid, 200));
      if (late !== null) {
        lines.push(late);
        late = null;
      }
      lines.push(line(t + 15, ++rid, 200));
      const race = line(t + 15 + 5 + 365, ++rid, 502);
      if (round === 2) late = race;
      else lines.push(race);
      t += 15 + 5 + 365 + 90;
    }
    const file = join(dir, 'begin-stamped.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { engine, fromSql } = await sqlParity([file], ['--nginx-log-format', format], {
      dir,
      name: 'begin-stamped',
      format: 'csv',
    });
    assert.deepEqual(comparable(fromSql), comparable(engine));
    // 18 requests: the first and the late 502 have no gap. The quick ones follow 15 ms after the
    // previous begin (or 90 ms after a 502); the 502s, and the request after the late one's place, at
    // 365 ms and more. Before the fix the late 502 was in `busy (<0)` (365 + 90 ms before the line
    // above it), as a failure on a busy connection.
    const requests = (label: string) =>
      engine.idleGaps.buckets.find((b: any) => b.label === label).requests as number;
    const buckets = JSON.stringify(engine.idleGaps.buckets);
    assert.equal(requests('busy (<0)'), 0, buckets);
    assert.equal(requests('0ms–100ms'), 10, buckets);
    assert.equal(requests('250ms–500ms'), 6, buckets);
    assert.equal(
      engine.idleGaps.buckets.reduce((n: number, b: any) => n + b.requests, 0),
      16,
      buckets,
    );
  });

  it('nginx $time_local (whole seconds, zones east and west): same report, the time parsed in SQL', async () => {
    const zones = ['+0000', '+0530', '-0700'];
    let n = 0;
    const local = join(dir, 'sample-local.log');
    writeFileSync(
      local,
      readFileSync(nginxSample, 'utf8').replace(/ \+0000\]/g, () => ` ${zones[n++ % 3]}]`),
    );
    const args = ['--nginx-log-format', GENERATOR_NGINX_FORMAT_LOCAL];
    const { engine, fromSql } = await sqlParity([local], args, { dir, name: 'local', format: 'csv' });
    assert.ok(n > 1000 && engine.requests === n && engine.malformedLines === 0, `${n} ${engine.requests}`);
    assert.deepEqual(comparable(fromSql), comparable(engine));
  });

  it('nginx $time_iso8601 (Z with fractions, and offsets): same report, the time parsed in SQL', async () => {
    // The generator's lines with their [$time_local] rewritten as ISO 8601 in three shapes.
    const shapes = ['.5Z', '+02:00', '-0130'];
    let n = 0;
    const iso = join(dir, 'sample-iso.log');
    writeFileSync(
      iso,
      readFileSync(nginxSample, 'utf8').replace(
        /\[(\d\d)\/Nov\/2026:(\d\d:\d\d:\d\d) \+0000\]/g,
        (_m, day: string, time: string) => `[2026-11-${day}T${time}${shapes[n++ % 3]}]`,
      ),
    );
    const format = GENERATOR_NGINX_FORMAT_LOCAL.replace('$time_local', '$time_iso8601');
    const { engine, fromSql } = await sqlParity([iso], ['--nginx-log-format', format], {
      dir,
      name: 'iso',
      format: 'csv',
    });
    assert.ok(n > 1000 && engine.requests === n && engine.malformedLines === 0, `${n} ${engine.requests}`);
    assert.deepEqual(comparable(fromSql), comparable(engine));
  });

  it('nginx fixtures and public lines: upstream lists, retried requests, no live upstreams, combined', async () => {
    const format = readFileSync(`${FIXTURES}nginx-upstream.format`, 'utf8').trim();
    const upstream = await sqlParity([`${FIXTURES}nginx-upstream.log`], ['--nginx-log-format', format], {
      dir,
      name: 'nginx-upstream',
      format: 'json',
    });
    assert.ok(upstream.engine.totals.retriedUpstreamErrors > 0, JSON.stringify(upstream.engine.totals));
    assert.ok(
      upstream.engine.counts.some((r: { cause: string }) => r.cause === 'no-healthy-upstream'),
      JSON.stringify(upstream.engine.counts),
    );
    assert.deepEqual(comparable(upstream.fromSql), comparable(upstream.engine));
    const combined = await sqlParity(
      [`${FIXTURES}nginx-combined.log`, `${REALWORLD}nginx-access.log`],
      ['--format', 'nginx-combined'],
      { dir, name: 'nginx-combined', format: 'csv' },
    );
    assert.equal(combined.engine.reasons[0].code, 'generator-unknown');
    assert.deepEqual(comparable(combined.fromSql), comparable(combined.engine));
  });

  it('HAProxy fixture and public lines: termination states, phases, accept date + Ta', async () => {
    const { engine, fromSql } = await sqlParity(
      [`${FIXTURES}haproxy.log`, `${REALWORLD}haproxy.log`],
      ['--format', 'haproxy'],
      { dir, name: 'haproxy', format: 'csv' },
    );
    assert.ok(engine.counts.length >= 5, JSON.stringify(engine.counts));
    assert.ok(Object.keys(engine.phases).length >= 2, JSON.stringify(engine.phases));
    assert.ok(engine.statusClasses.none > 0, 'sessions without a status (client aborts)');
    assert.deepEqual(comparable(fromSql), comparable(engine));
    assert.deepEqual(fromSql.formats, [{ id: 'haproxy', lines: engine.requests }]);
  });

  it('Caddy access entries (fixture and public lines): fractional times, gaps over all upstreams', async () => {
    // Only access entries: the error entries' join has no SQL form (checked apart below).
    const access = join(dir, 'caddy-access.jsonl');
    const lines = [`${FIXTURES}caddy.jsonl`, `${REALWORLD}caddy.jsonl`]
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .filter((l) => l.includes('"http.log.access'));
    writeFileSync(access, `${lines.join('\n')}\n`);
    const { engine, fromSql } = await sqlParity([access], ['--format', 'caddy'], {
      dir,
      name: 'caddy',
      format: 'json',
    });
    assert.ok(engine.requests >= 5 && engine.idleGaps.perTarget.length > 0, JSON.stringify(engine));
    assert.ok(!Number.isInteger(engine.timeRange.firstMs), 'Caddy ts has sub-millisecond digits');
    assert.deepEqual(comparable(fromSql), comparable(engine));
    // With error entries in the file, the streaming engine counts them; the SQL leaves them out.
    const mixed = await runCli([
      'diagnose',
      '--emit-sql',
      'duckdb',
      '--format',
      'caddy',
      `${FIXTURES}caddy.jsonl`,
    ]);
    assert.match(mixed.stdout, /Not expressible here: error entries/);
  });

  it('Athena/Trino differ from DuckDB only in the dialect differences docs/diagnose.md lists', async () => {
    const cases: string[][] = [
      ['--nginx-log-format', GENERATOR_NGINX_FORMAT_LOCAL],
      ['--format', 'nginx-ingress'],
      ['--format', 'haproxy'],
      ['--format', 'caddy'],
    ];
    for (const args of cases) {
      const duck = (await runCli(['diagnose', '--emit-sql', 'duckdb', ...args, nginxSample])).stdout;
      const athena = (await runCli(['diagnose', '--emit-sql', 'athena', ...args])).stdout;
      const trino = (await runCli(['diagnose', '--emit-sql', 'trino', ...args])).stdout;
      assert.equal(trino, athena.replace('flavour athena', 'flavour trino'));
      // DuckDB reads all capture groups in one regexp_extract (a struct); Trino one call per group.
      let names: string[] = [];
      let regex = '';
      const duckQuery = duck
        .slice(duck.indexOf('-- keepalive-parity diagnose'))
        .replace(
          /\(SELECT \*, regexp_extract\(line, ('(?:[^']|'')*'), \[([^\]]*)\]\) AS g FROM/,
          (_m, re: string, list: string) => {
            regex = re;
            names = list.split(', ').map((n) => n.slice(1, -1));
            return '(SELECT * FROM';
          },
        )
        .replace(
          /\bg\.(\w+)/g,
          (_m, name: string) => `regexp_extract(line, ${regex}, ${names.indexOf(name) + 1})`,
        );
      assert.match(duck, /^CREATE OR REPLACE VIEW \w+ AS\n/);
      const dialect = (s: string) =>
        s
          .replaceAll('epoch(CAST(', 'SECONDS(')
          .replaceAll(' AS TIMESTAMP))', ')')
          .replaceAll('to_unixtime(from_iso8601_timestamp(concat(', 'SECONDS(')
          .replaceAll(", 'Z')))", ')')
          .replaceAll('regexp_matches(', 'MATCHES(')
          .replaceAll('regexp_like(', 'MATCHES(')
          .replaceAll('arg_max(start_ms, [time_ms, -ord])', 'max_by(start_ms, time_ms)')
          .replace(
            /CASE WHEN json_valid\(line\) THEN json_extract_string\(line, '([^']*)'\) END/g,
            'JSON($1)',
          )
          .replace(/try\(json_extract_scalar\(line, '([^']*)'\)\)/g, 'JSON($1)')
          .replace(/\."([\w-]+)"|\["([\w-]+)"\]/g, '.KEY($1$2)')
          .replace('"$path" AS file, line_no,', '"$path" AS file, CAST(NULL AS BIGINT) AS line_no,')
          .replace('file, line_no AS ord', 'file, time_ms AS ord')
          .replace(/flavour \w+/, 'flavour X');
      assert.equal(dialect(athena), dialect(duckQuery), args.join(' '));
      assert.match(athena, /max\(time_ms\) OVER \(PARTITION BY file, target ORDER BY ord ROWS BETWEEN/);
    }
    const bad = await runCli(['diagnose', '--emit-sql', 'duckdb', '--format', 'envoy']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no SQL form for --format "envoy"; formats: alb, nginx-custom/);
    const mismatch = await runCli([
      'diagnose',
      '--emit-sql',
      'athena',
      '--format',
      'haproxy',
      '--nginx-log-format',
      '$status',
    ]);
    assert.equal(mismatch.code, 2);
    const gz = await runCli(['diagnose', '--emit-sql', 'duckdb', '--format', 'caddy', 'caddy.log.gz']);
    assert.equal(gz.code, 2);
    assert.match(gz.stderr, /read_text does not decompress\): gunzip caddy\.log\.gz first/);
  });
});
