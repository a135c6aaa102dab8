import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProcessGroup } from '../src/lab/processes.js';
import { PROXIES as LAB_PROXIES } from '../src/lab/proxies.js';
import { parseJson, runCli } from './cli-helpers.js';
import { type FaultBackend, startFaultBackend } from './diagnose-corpus/backend.js';
import {
  CLOSE_LAG_MS,
  KEEPALIVE_MS,
  SCENARIOS,
  type Scenario,
  type Sent,
} from './diagnose-corpus/scenarios.js';
import {
  APACHE_AS_NGINX_LOG_FORMAT,
  freePort,
  makeTempDir,
  NGINX_LOG_FORMAT,
  type ProxyInstance,
  type ProxyOptions,
  removeDir,
  sleep,
  startApache,
  startCaddy,
  startHaproxy,
  startNginx,
} from './diagnose-helpers/harness.js';
import { hasBinary, requireBinaries } from './support/binaries.js';

/**
 * The labelled corpus: real nginx, HAProxy, Caddy, Apache httpd and the lab's embedded Node proxy on 127.0.0.1 in front of a backend with
 * injected faults (diagnose-corpus/), one run per scenario and proxy, ground truth from the
 * backend's own log per request id, then `diagnose` on the logs the proxy wrote. Every race
 * scenario must be `keepalive-race`, every other scenario anything but. The table of results is in
 * docs/diagnose.md ("Scenario corpus"); KAP_WRITE_CORPUS_TABLE=1 rewrites it, otherwise the test
 * checks that the docs table still says what this run found.
 *
 * Apache httpd is read from its `combined` access log plus its error log (the `apache-error` format).
 * KAP_CORPUS_PROXIES=nginx,node runs some proxies only (the docs table check then fails);
 * KAP_CORPUS_KEEP_DIRS=1 keeps each run's logs in the temp directory.
 */

type Start = (dir: string, options: ProxyOptions) => Promise<ProxyInstance>;
const PROXIES: ReadonlyArray<{
  name: string;
  start: Start;
  args: string[];
  method: string;
  /** The program it needs (skipped with the reason when missing). */
  need?: string;
}> = [
  {
    name: 'nginx',
    start: startNginx,
    args: ['--nginx-log-format', NGINX_LOG_FORMAT],
    method: 'GET',
    need: 'nginx',
  },
  { name: 'haproxy', start: startHaproxy, args: [], method: 'GET', need: 'haproxy' },
  // Go's transport replays a GET whose reused connection failed: the race shows on POST only.
  { name: 'caddy', start: startCaddy, args: [], method: 'POST', need: 'caddy' },
  { name: 'node', start: startNodeProxy, args: [], method: 'GET' },
  // Apache has no retry of a failed reused connection for GET: the race shows on GET.
  {
    name: 'apache',
    start: startApache,
    args: ['--nginx-log-format', APACHE_AS_NGINX_LOG_FORMAT],
    method: 'GET',
    need: 'apache2|httpd',
  },
].filter(
  (p) => !process.env.KAP_CORPUS_PROXIES || process.env.KAP_CORPUS_PROXIES.split(',').includes(p.name),
);

/** The lab's embedded Node proxy (its adapter and process group), retries off, a 10 s pool idle timeout. */
async function startNodeProxy(dir: string, options: ProxyOptions): Promise<ProxyInstance> {
  const group = new ProcessGroup();
  const running = await LAB_PROXIES.node.start({
    group,
    bin: process.execPath,
    dir,
    upstreamPort: options.upstreamPort,
    idleMs: 10_000,
    retry: options.retry ?? false,
    name: 'node-proxy',
  });
  return { port: running.port, dir, logs: [running.logFiles[0]!], stop: () => group.stopAll() };
}

interface Row {
  readonly scenario: string;
  readonly proxy: string;
  readonly truth: string;
  readonly label: string;
  readonly verdict: string;
  readonly rule: string;
}

const rows: Row[] = [];
const dirs: string[] = [];
after(() => {
  if (process.env.KAP_CORPUS_KEEP_DIRS !== '1') for (const d of dirs) removeDir(d);
});

async function runScenario(
  scenario: Scenario,
  proxy: (typeof PROXIES)[number],
): Promise<{ sent: Sent[]; backend: FaultBackend; diagnosis: Record<string, any>; code: number | null }> {
  const dir = makeTempDir(`kap-corpus-${scenario.id}-${proxy.name}-`);
  dirs.push(dir);
  const backend = await startFaultBackend({
    keepAliveMs: KEEPALIVE_MS,
    closeLagMs: CLOSE_LAG_MS,
    logFile: join(dir, 'backend.jsonl'),
    closeEvery: scenario.closeEvery,
  });
  try {
    const upstreamPort = scenario.down ? await freePort() : backend.port;
    const instance = await proxy.start(dir, {
      upstreamPort,
      retry: scenario.retry,
      readTimeoutMs: scenario.readTimeoutMs,
    });
    let sent: Sent[];
    try {
      sent = await scenario.drive({ port: instance.port, backend, method: proxy.method });
      await sleep(150); // let the proxy flush its log lines
    } finally {
      await instance.stop();
    }
    const result = await runCli(['diagnose', ...instance.logs, '--json', '--no-progress', ...proxy.args]);
    return { sent, backend, diagnosis: parseJson(result), code: result.code };
  } finally {
    await backend.close();
  }
}

/** The proxies that run here: a program that is not installed is skipped (the embedded proxy always runs). */
const RAN = PROXIES.filter((p) => !p.need || hasBinary(p.need));

for (const proxy of PROXIES) {
  describe(`diagnose corpus: ${proxy.name}`, requireBinaries(...(proxy.need ? [proxy.need] : [])), () => {
    for (const scenario of SCENARIOS) {
      if (scenario.proxies && !scenario.proxies.includes(proxy.name)) continue;
      it(`${scenario.id} (${scenario.label})`, async () => {
        const { sent, backend, diagnosis, code } = await runScenario(scenario, proxy);
        const problem = scenario.check(sent, backend);
        assert.equal(
          problem,
          null,
          `ground truth: ${problem}; statuses ${sent.map((s) => s.status).join(',')}`,
        );
        const rule = diagnosis.reasons?.[0]?.code ?? '-';
        rows.push({
          scenario: scenario.id,
          proxy: proxy.name,
          truth: scenario.truth,
          label: scenario.label,
          verdict: diagnosis.verdict,
          rule,
        });
        const why = JSON.stringify(diagnosis.reasons?.map((r: Record<string, unknown>) => r.message));
        if (scenario.label === 'race') {
          assert.equal(diagnosis.verdict, 'keepalive-race', why);
          assert.equal(code, 1);
          if (proxy.name === 'nginx' && !scenario.retry) {
            // Per-request evidence: the deciding reason cites joined lines of both logs.
            const files = new Set(
              diagnosis.reasons[0].examples.map((x: { file: string }) => x.file.split('/').pop()),
            );
            assert.ok(
              files.has('access.log') && files.has('error.log'),
              JSON.stringify(diagnosis.reasons[0]),
            );
            assert.ok(diagnosis.join.joinedRaceShaped >= 6, JSON.stringify(diagnosis.join));
          }
        } else {
          assert.notEqual(diagnosis.verdict, 'keepalive-race', why);
          assert.equal(code, 0);
        }
      });
    }
  });
}

describe('diagnose corpus: the table in docs/diagnose.md', () => {
  it('is what this run found', () => {
    const expected = RAN.flatMap((p) =>
      SCENARIOS.filter((s) => !s.proxies || s.proxies.includes(p.name)).map((s) => `${s.id}/${p.name}`),
    );
    assert.deepEqual(
      rows.map((r) => `${r.scenario}/${r.proxy}`).sort(),
      expected.sort(),
      'every scenario ran (a failed one is reported above)',
    );
    const order = (r: Row) => `${SCENARIOS.findIndex((s) => s.id === r.scenario)}`.padStart(3, '0') + r.proxy;
    const table = [
      '| scenario | proxy | ground truth (backend log, per request id) | label | verdict | deciding rule |',
      '|---|---|---|---|---|---|',
      ...[...rows]
        .sort((a, b) => order(a).localeCompare(order(b)))
        .map(
          (r) =>
            `| \`${r.scenario}\` | ${r.proxy} | ${r.truth} | ${r.label} | \`${r.verdict}\` | [\`${r.rule}\`](verdicts/${r.rule}.md) |`,
        ),
    ].join('\n');
    const docsFile = new URL('../../../docs/diagnose.md', import.meta.url);
    const docs = readFileSync(docsFile, 'utf8');
    const start = '<!-- corpus-table:start -->\n';
    const end = '\n<!-- corpus-table:end -->';
    const a = docs.indexOf(start);
    const b = docs.indexOf(end);
    assert.ok(a >= 0 && b > a, 'docs/diagnose.md has the corpus-table markers');
    if (process.env.KAP_WRITE_CORPUS_TABLE === '1') {
      assert.equal(RAN.length, PROXIES.length, 'the table is written from a run of every proxy');
      writeFileSync(docsFile, docs.slice(0, a + start.length) + table + docs.slice(b));
      return;
    }
    // Labels and verdict classes are what the acceptance is about; compare those columns.
    const cols = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('| `') && RAN.some((p) => l.split(' | ')[1] === p.name))
        .map((l) => l.split(' | ').slice(0, 5).join(' | '));
    assert.deepEqual(cols(docs.slice(a + start.length, b)), cols(table));
  });
});
