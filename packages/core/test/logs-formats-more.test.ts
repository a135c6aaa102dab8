import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectLogFormat, envoyFormatString, KeepaliveParityError, LOG_FORMATS } from '../src/index.js';
import {
  describeLine,
  envoyCustom,
  fixtureDir,
  MORE_CASES,
  nginxCustom,
  readFixture as read,
} from './logs-more-cases.js';

/** Fixture tests for the formats added for issue 10 (cases in logs-more-cases.ts). */

describe('log formats (issue 10): fixtures per cause', () => {
  for (const c of MORE_CASES) {
    it(`${c.file}: detected as ${c.format} and every line classified`, () => {
      const lines = read(c.file);
      const detected = detectLogFormat(lines.slice(0, 30), c.extra ?? []);
      assert.equal(detected?.format.id, c.format);
      assert.deepEqual(
        lines.map((l) => describeLine(detected!.format, l)),
        c.expect,
      );
    });
  }
});

/** Every fixture file and the one format that must claim it (custom formats: given explicitly). */
const FIXTURE_FORMATS: Record<string, string> = {
  'alb.log': 'alb',
  'elb-classic.log': 'elb-classic',
  'nginx-upstream.log': 'nginx-custom',
  'nginx-combined.log': 'nginx-combined',
  'nginx-error.log': 'nginx-error',
  'haproxy.log': 'haproxy',
  'envoy.log': 'envoy',
  'envoy.jsonl': 'envoy-json',
  'gcp-lb.jsonl': 'gcp-lb',
  'traefik.jsonl': 'traefik',
  'caddy.jsonl': 'caddy',
  'azure-appgw.jsonl': 'azure-appgw',
  'kap-node-proxy.jsonl': 'kap-node-proxy',
  ...Object.fromEntries(MORE_CASES.map((c) => [c.file, c.format])),
};

describe('log formats (issue 10): detection never steals another format’s lines', () => {
  it('every fixture file is listed', () => {
    const files = readdirSync(fixtureDir).filter((f) => !f.endsWith('.format'));
    assert.deepEqual(
      files.filter((f) => FIXTURE_FORMATS[f] === undefined),
      [],
    );
  });

  for (const [file, format] of Object.entries(FIXTURE_FORMATS)) {
    it(`${file} is detected as exactly ${format}`, () => {
      const lines = read(file).slice(0, 30);
      const custom =
        format === 'nginx-custom' ? [nginxCustom] : format === 'envoy-custom' ? [envoyCustom] : [];
      assert.equal(detectLogFormat(lines, custom)?.format.id, format);
      for (const f of [...LOG_FORMATS, envoyCustom]) {
        if (f.id === format) continue;
        if (format === 'nginx-custom' && f.id.startsWith('nginx-')) continue; // combined is its prefix
        // Traefik's common format is nginx `combined` plus trailing fields: combined matches it too, with
        // a lower score (0.9) than Traefik's exact match, which wins (asserted above).
        if (file === 'traefik-clf.log' && f.id === 'nginx-combined') continue;
        assert.ok(f.detect(lines) < 0.5, `${f.id} scores ${f.detect(lines)} on ${file}`);
      }
    });
  }
});

describe('log formats (issue 10): details', () => {
  it('Envoy JSON: join keys, times and retries are read whatever the keys are called', () => {
    const format = LOG_FORMATS.find((f) => f.id === 'envoy-json')!;
    const [, race, istio] = read('envoy-keys.jsonl').map((l) => format.parseLine(l));
    assert.ok(race?.ok && istio?.ok);
    assert.equal(race.record.requestId, 'r-2');
    assert.equal(race.record.client, '10.0.9.9:51001');
    assert.equal(race.record.target, '10.0.0.1:8080');
    assert.equal(race.record.requestLine, 'POST /race HTTP/1.1');
    assert.equal(race.record.timeMs, Date.parse('2026-11-24T08:00:01.121Z'));
    assert.equal(istio.record.requestId, '7a1c4e32-0f7e-4b39-9d51-2f0d4ce0a1b2');
    assert.equal(istio.record.target, '10.0.0.3:9080');
  });

  it('Envoy format string: operators map to fields, retries from the attempt count', () => {
    const r = envoyCustom.parseLine(read('envoy-custom.log')[3]!);
    assert.ok(r?.ok);
    assert.equal(r.record.requestId, 'r-4');
    assert.equal(r.record.retries, 1);
    assert.equal(r.record.requestLine, 'GET /down HTTP/1.1');
    assert.equal(r.record.client, '10.0.9.9:51003');
    const epoch = envoyFormatString('%START_TIME(%s)% %RESPONSE_CODE% %RESPONSE_FLAGS%');
    const e = epoch.parseLine('1795500000 503 UC');
    assert.ok(e?.ok);
    assert.equal(e.record.timeMs, 1795500000 * 1000);
    assert.equal(e.record.cause, 'upstream-closed-reused-connection');
    const long = envoyFormatString('%START_TIME% %RESPONSE_CODE% %RESPONSE_FLAGS_LONG%').parseLine(
      '2026-11-24T08:00:00.000Z 503 UpstreamConnectionTermination',
    );
    assert.ok(long?.ok);
    assert.equal(long.record.cause, 'upstream-closed-reused-connection');
    const strftime = envoyFormatString(
      '[%START_TIME(%Y/%m/%dT%H:%M:%S%z)%] %RESPONSE_CODE% %RESPONSE_FLAGS% %DURATION%',
    );
    const t = strftime.parseLine('[2026/11/24T09:00:00+0100] 503 UC 2');
    assert.ok(t?.ok);
    assert.equal(t.record.timeMs, Date.parse('2026-11-24T08:00:00.002Z'));
    const fraction = envoyFormatString('%START_TIME(%s.%3f)% %RESPONSE_CODE%').parseLine(
      '1795500000.250 200',
    );
    assert.ok(fraction?.ok);
    assert.equal(fraction.record.timeMs, 1795500000250);
  });

  it('Envoy format string: unreadable formats are refused, naming the flag', () => {
    for (const bad of [
      'no operators',
      '%RESPONSE_CODE%%RESPONSE_FLAGS% %START_TIME%',
      '%START_TIME% %DURATION%',
    ]) {
      assert.throws(
        () => envoyFormatString(bad),
        (e: unknown) =>
          e instanceof KeepaliveParityError &&
          e.code === 'KAP_USAGE' &&
          e.location?.field === '--envoy-log-format',
      );
    }
  });

  it('gorouter: join keys and the reused-connection flag are read', () => {
    const access = LOG_FORMATS.find((f) => f.id === 'gorouter')!.parseLine(read('gorouter.log')[1]!);
    assert.ok(access?.ok);
    assert.equal(access.record.requestId, 'a1b2c3d4-0002-4000-8000-000000000002');
    assert.equal(access.record.client, '10.0.9.9:51001');
    assert.equal(access.record.target, '10.0.1.11:61002');
    assert.equal(access.record.requestLine, 'POST /orders HTTP/1.1');
    assert.equal(access.record.timeMs, Date.parse('2026-11-24T08:00:01.121Z'));
    assert.equal(access.record.rawCause, 'endpoint_failure (EOF)');
    const json = LOG_FORMATS.find((f) => f.id === 'gorouter-json')!;
    const [reused, fresh] = [1, 4].map((i) => json.parseLine(read('gorouter.jsonl')[i]!));
    assert.ok(reused?.ok && fresh?.ok);
    assert.equal(reused.record.connReused, true);
    assert.equal(reused.record.requestId, 'a1b2c3d4-0002-4000-8000-000000000002');
    assert.equal(reused.record.target, '10.0.1.11:61002');
    assert.equal(fresh.record.connReused, false);
    assert.equal(fresh.record.cause, 'unknown');
  });

  it('Go proxy: the peer address comes from the Go error; microseconds in the time are kept', () => {
    const go = LOG_FORMATS.find((f) => f.id === 'go-proxy')!;
    const reset = go.parseLine(read('go-proxy.log')[2]!);
    const pipe = go.parseLine(read('go-proxy.log')[5]!);
    assert.ok(reset?.ok && pipe?.ok);
    assert.equal(reset.record.target, '10.0.1.11:8080');
    assert.equal(pipe.record.timeMs, Date.parse('2026-11-24T08:00:05.123Z'));
  });

  it('Cloudflare: Unix-nanosecond timestamps, Ray ID and origin address read', () => {
    const r = LOG_FORMATS.find((f) => f.id === 'cloudflare')!.parseLine(read('cloudflare.jsonl')[1]!);
    assert.ok(r?.ok);
    assert.equal(r.record.timeMs, 1795500001020);
    assert.equal(r.record.requestMs, 20);
    assert.equal(r.record.requestId, '8e1a2b3c4d5e6f02');
    assert.equal(r.record.target, '198.51.100.10');
  });

  it('phases on the existing readers: HAProxy SD and GCP partial response are mid-response, not the race', () => {
    const haproxy = LOG_FORMATS.find((f) => f.id === 'haproxy')!;
    const sd = haproxy.parseLine(
      '<134>Nov 24 08:00:00 lb haproxy[1]: 10.0.9.9:51000 [24/Nov/2026:08:00:00.100] fe be/app1 0/0/0/2/40 200 5000 - - SD-- 1/1/0/0/0 0/0 "GET /big HTTP/1.1"',
    );
    assert.ok(sd?.ok);
    assert.deepEqual(
      [sd.record.generator, sd.record.cause, sd.record.phase],
      ['target', 'upstream-closed-mid-response', 'read-body'],
    );
    const sh = haproxy.parseLine(
      '<134>Nov 24 08:00:01 lb haproxy[1]: 10.0.9.9:51001 [24/Nov/2026:08:00:01.100] fe be/app1 0/0/0/-1/1 502 209 - - SH-- 1/1/0/0/0 0/0 "POST /x HTTP/1.1"',
    );
    assert.ok(sh?.ok);
    assert.deepEqual(
      [sh.record.cause, sh.record.phase, sh.record.client],
      ['upstream-closed-reused-connection', 'read-header', '10.0.9.9:51001'],
    );
    const gcp = LOG_FORMATS.find((f) => f.id === 'gcp-lb')!.parseLine(
      '{"httpRequest":{"requestMethod":"GET","requestUrl":"https://x/big","status":200,"remoteIp":"203.0.113.7"},"jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry","statusDetails":"backend_connection_closed_after_partial_response_sent"},"timestamp":"2026-11-24T08:00:00Z"}',
    );
    assert.ok(gcp?.ok);
    assert.deepEqual(
      [gcp.record.generator, gcp.record.cause, gcp.record.phase],
      ['target', 'upstream-closed-mid-response', 'read-body'],
    );
  });

  it('Envoy default and Istio text formats: request id, client and upstream host by position', () => {
    const envoy = LOG_FORMATS.find((f) => f.id === 'envoy')!;
    const [plain, istio] = [1, 6].map((i) => envoy.parseLine(read('envoy.log')[i]!));
    assert.ok(plain?.ok && istio?.ok);
    assert.deepEqual(
      [plain.record.requestId, plain.record.target, plain.record.requestLine, plain.record.phase],
      ['a2', '10.0.0.1:8080', 'POST /race HTTP/1.1', 'read-header'],
    );
    assert.deepEqual(
      [istio.record.requestId, istio.record.client, istio.record.target],
      ['a7', '10.0.0.9:39000', '10.0.0.3:9080'],
    );
  });

  it('every registered format has a row in docs/diagnose.md', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/diagnose.md', import.meta.url)), 'utf8');
    const rows = docs.split('\n').filter((l) => l.startsWith('| `'));
    for (const f of LOG_FORMATS) {
      assert.ok(
        rows.some((r) => r.split('|')[1]!.includes(`\`${f.id}\``)),
        `no row for ${f.id} in docs/diagnose.md`,
      );
    }
  });
});
