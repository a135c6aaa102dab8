import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * `diagnose` end to end (the built CLI, spawned) on each log-format family added for issue 10:
 * detected without `--format`, read into the JSON view with the right counts, and the human view
 * rendered. Verdict rules are another module's business: only "not a usage error" is asserted here.
 */

const FIXTURES = fileURLToPath(new URL('../../core/test/fixtures/logs/', import.meta.url));

type Json = Record<string, any>;

async function diagnoseJson(file: string, extra: string[] = []): Promise<Json> {
  const r = await runCli(['diagnose', `${FIXTURES}${file}`, '--json', ...extra]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return parseJson(r);
}

const count = (j: Json, generator: string, status: number, cause: string | null) =>
  j.counts.find((c: Json) => c.generator === generator && c.status === status && c.cause === cause)?.count ??
  0;

describe('diagnose on the issue-10 formats (spawned CLI, --json)', () => {
  it('Envoy JSON with camelCase, Istio and unnamed keys: UC 503s read as the race signature', async () => {
    const j = await diagnoseJson('envoy-keys.jsonl');
    assert.equal(j.inputs[0].format, 'envoy-json');
    assert.equal(j.malformedLines, 1);
    assert.equal(count(j, 'lb', 503, 'upstream-closed-reused-connection'), 2);
    assert.equal(count(j, 'lb', 503, 'connect-refused'), 1);
    assert.equal(count(j, 'target', 500, null), 1);
  });

  it('the public Envoy JSON line of envoy issue #17432 (custom camelCase keys) is read, not refused', async () => {
    const real = fileURLToPath(
      new URL('../../../../shared/realworld/log-lines/envoy-json.jsonl', import.meta.url),
    );
    const r = await runCli(['diagnose', real, '--json']);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const j = parseJson(r);
    assert.equal(j.inputs[0].format, 'envoy-json');
    assert.equal(j.malformedLines, 0);
    assert.equal(count(j, 'lb', 503, 'connect-refused'), 1);
  });

  it('Envoy with --envoy-log-format: the custom format is read; a format that cannot be read is exit 2', async () => {
    const format = readFileSync(`${FIXTURES}envoy-custom.format`, 'utf8').trim();
    const j = await diagnoseJson('envoy-custom.log', ['--envoy-log-format', format]);
    assert.equal(j.inputs[0].format, 'envoy-custom');
    assert.equal(j.malformedLines, 1);
    assert.equal(count(j, 'lb', 503, 'upstream-closed-reused-connection'), 1);
    const bad = await runCli([
      'diagnose',
      `${FIXTURES}envoy-custom.log`,
      '--envoy-log-format',
      '%START_TIME%%RESPONSE_CODE%',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nothing between them/);
    // Without the flag, the same file is in no known format: exit 2, never a verdict.
    const unknown = await runCli(['diagnose', `${FIXTURES}envoy-custom.log`, '--json']);
    assert.equal(unknown.code, 2);
  });

  it('verify reads the same custom Envoy format with --envoy-log-format, and refuses the file without it', async () => {
    const format = readFileSync(`${FIXTURES}envoy-custom.format`, 'utf8').trim();
    const windows = [
      '--change-at',
      '2026-11-24T00:00:00Z',
      '--since',
      '2026-11-23T00:00:00Z',
      '--until',
      '2026-11-25T00:00:00Z',
    ];
    const r = await runCli([
      'verify',
      ...windows,
      `${FIXTURES}envoy-custom.log`,
      '--envoy-log-format',
      format,
      '--json',
    ]);
    const j = parseJson(r) as {
      sources: { source: string; result: { after: { requests: number; raceErrors: number } } }[];
    };
    const logs = j.sources.find((s) => s.source === 'logs');
    assert.ok(logs, r.stderr);
    // All the fixture's requests fall after the change; one is Envoy's UC before any response byte.
    assert.ok(logs.result.after.requests > 0);
    assert.equal(logs.result.after.raceErrors, 1);
    const unknown = await runCli(['verify', ...windows, `${FIXTURES}envoy-custom.log`, '--json']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no input in a known log format/);
  });

  it('gorouter access log: endpoint_failure (EOF) is the race signature, no_endpoints capacity', async () => {
    const j = await diagnoseJson('gorouter.log');
    assert.equal(j.inputs[0].format, 'gorouter');
    assert.equal(count(j, 'lb', 502, 'upstream-closed-reused-connection'), 3);
    assert.equal(count(j, 'lb', 502, 'connect-refused'), 1);
    assert.equal(count(j, 'lb', 503, 'no-healthy-upstream'), 1);
    assert.equal(j.totals.retriedUpstreamErrors, 1);
    assert.equal(j.malformedLines, 1);
  });

  it('gorouter JSON log: backend-endpoint-failed events by cause (an EOF on a fresh connection is not the race)', async () => {
    const j = await diagnoseJson('gorouter.jsonl');
    assert.equal(j.inputs[0].format, 'gorouter-json');
    assert.deepEqual(j.totals.upstreamErrors, {
      'upstream-closed-reused-connection': 4,
      'connect-refused': 1,
      unknown: 1,
      'response-timeout': 1,
    });
  });

  it('Go httputil proxy errors: found among the application lines, body-copy failures apart', async () => {
    const j = await diagnoseJson('go-proxy.log');
    assert.equal(j.inputs[0].format, 'go-proxy');
    assert.equal(j.skippedLines, 1);
    assert.equal(j.totals.upstreamErrors['upstream-closed-reused-connection'], 6);
    assert.equal(j.totals.upstreamErrors['upstream-closed-mid-response'], 1);
  });

  it('Traefik common format: OriginStatus with the status text size is Traefik’s own 502', async () => {
    const j = await diagnoseJson('traefik-clf.log');
    assert.equal(j.inputs[0].format, 'traefik');
    assert.equal(count(j, 'lb', 502, 'unknown'), 1);
    assert.equal(count(j, 'target', 500, null), 1);
  });

  it('Traefik access log with its DEBUG log: the causes come from the second file', async () => {
    const r = await runCli([
      'diagnose',
      `${FIXTURES}traefik.jsonl`,
      `${FIXTURES}traefik-debug.log`,
      '--json',
    ]);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const j = parseJson(r);
    assert.deepEqual(
      j.inputs.map((i: Json) => i.format),
      ['traefik', 'traefik-debug'],
    );
    assert.equal(j.totals.upstreamErrors['upstream-closed-reused-connection'], 3);
    assert.equal(j.totals.upstreamErrors['connect-refused'], 1);
  });

  it('H2O error log: I/O error (head) and (body) counted apart', async () => {
    const j = await diagnoseJson('h2o-error.log');
    assert.equal(j.inputs[0].format, 'h2o');
    assert.equal(j.totals.upstreamErrors['upstream-closed-reused-connection'], 2);
    assert.equal(j.totals.upstreamErrors['upstream-closed-mid-response'], 1);
  });

  it('Cloudflare Logpush: 520-526 are Cloudflare’s, an origin 502 is the origin’s; the human view renders', async () => {
    const j = await diagnoseJson('cloudflare.jsonl');
    assert.equal(j.inputs[0].format, 'cloudflare');
    assert.equal(count(j, 'lb', 520, 'unknown'), 1);
    assert.equal(count(j, 'lb', 521, 'connect-refused'), 1);
    assert.equal(count(j, 'target', 502, null), 1);
    const human = await runCli(['diagnose', `${FIXTURES}cloudflare.jsonl`]);
    assert.ok(human.code === 0 || human.code === 1);
    assert.match(human.stdout, /cloudflare/);
  });
});
