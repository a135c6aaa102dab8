import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CORPUS_PROXIES, runCorpusScenario } from './diagnose-corpus/run.js';
import { MIN_RACES, SCENARIOS } from './diagnose-corpus/scenarios.js';
import { makeTempDir, removeDir } from './diagnose-helpers/harness.js';
import { comparable, sqlParity } from './diagnose-helpers/sql-parity.js';
import { requireBinaries } from './support/binaries.js';

/**
 * The same answer at data-lake scale, on the project's labelled real-proxy logs: for each corpus
 * proxy with an SQL form (nginx, HAProxy, Caddy, and Apache httpd through its nginx-style
 * log_format), the race scenario and non-race ones (healthy, app 500s, races mixed with 500s) are
 * run against the real proxy (diagnose-corpus/run.ts), then `--emit-sql duckdb` runs in embedded
 * DuckDB over the access log the proxy wrote, and `--from-sql-result` of its result must give the
 * streaming engine's report on the same access log: counts, idle-gap tables (all and per target),
 * keep-alive estimate, per-minute series, phases, reasons and verdict (comparable() leaves out only
 * what SQL cannot carry: example lines, malformed and skipped lines, the join).
 *
 * Both engines read the access log alone: the error log's per-request join (nginx, Apache) and
 * Caddy's error entries have no SQL form, so their verdicts on the access log alone may differ from
 * the corpus table's (which reads both logs); the verdict column here is not the acceptance, the
 * equality of the two engines is. The embedded Node proxy has no SQL form (its log's clock is
 * monotonic and its causes live in error events joined by request id).
 *
 * Chance: only in the scenarios' driving. Each run first checks its ground truth against the
 * backend's log (scenario.check), whose false-failure probability is derived in
 * diagnose-corpus/scenarios.ts (a race scenario provokes fewer than MIN_RACES races with
 * probability below 6e-10). Given the logs, both engines are deterministic.
 */

const SCENARIO_IDS = ['healthy', 'race', 'app-500', 'mixed-race-and-500'];
const dirs: string[] = [];
const out = makeTempDir('kap-sql-corpus-');
after(() => {
  if (process.env.KAP_CORPUS_KEEP_DIRS !== '1') for (const d of [...dirs, out]) removeDir(d);
});

for (const proxy of CORPUS_PROXIES) {
  const sqlArgs = proxy.sqlArgs;
  if (sqlArgs === undefined) continue;
  describe(
    `diagnose SQL parity on the corpus: ${proxy.name}`,
    requireBinaries(...(proxy.need ? [proxy.need] : [])),
    () => {
      for (const scenario of SCENARIOS.filter((s) => SCENARIO_IDS.includes(s.id))) {
        if (scenario.proxies && !scenario.proxies.includes(proxy.name)) continue;
        it(`${scenario.id} (${scenario.label})`, async () => {
          const { sent, backend, logs } = await runCorpusScenario(scenario, proxy, dirs);
          const problem = scenario.check(sent, backend);
          assert.equal(
            problem,
            null,
            `ground truth: ${problem}; statuses ${sent.map((s) => s.status).join(',')}`,
          );
          const access = logs[0]!;
          const { engine, fromSql } = await sqlParity([access], sqlArgs, {
            dir: out,
            name: `${scenario.id}-${proxy.name}`,
            format: scenario.id === 'race' ? 'json' : 'csv',
          });
          // Every request the driver sent is in the access log, and so in both reports (HAProxy also
          // logs the harness's readiness probe, a connection without a request: `<BADREQ>` 400).
          assert.ok(
            engine.requests >= sent.length && engine.requests <= sent.length + 1,
            JSON.stringify(engine.inputs),
          );
          if (scenario.label === 'race') {
            assert.ok(engine.totals.fiveXx >= MIN_RACES, JSON.stringify(engine.totals));
            assert.ok(
              engine.idleGaps.buckets.some((b: { requests: number }, i: number) => i > 0 && b.requests > 0),
              'the access log gives idle gaps',
            );
          }
          assert.deepEqual(comparable(fromSql), comparable(engine));
          assert.deepEqual(fromSql.idleGaps, engine.idleGaps);
          assert.equal(fromSql.verdict, engine.verdict);
        });
      }
    },
  );
}
