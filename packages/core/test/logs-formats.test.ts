import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectLogFormat, LOG_FORMATS, type LogFormat, nginxAccessFormat } from '../src/index.js';
import { MORE_CASES, nginxCustom, readFixture as read } from './logs-more-cases.js';

/**
 * Fixture tests: every format, one real-shaped line per cause, plus malformed and truncated lines.
 * Expectations are `kind status generator cause` per line ("skip" = ignored line, "malformed").
 */

function describeLine(format: LogFormat, line: string): string {
  const r = format.parseLine(line);
  if (r === null) return 'skip';
  if (!r.ok) return 'malformed';
  const { kind, status, generator, cause } = r.record;
  return `${kind ?? 'request'} ${status ?? '-'} ${generator} ${cause ?? '-'}`;
}

const CASES: Array<{ file: string; format: string; extra?: LogFormat[]; expect: string[] }> = [
  {
    file: 'alb.log',
    format: 'alb',
    expect: [
      'request 200 target -',
      'request 502 lb unknown', // race or connect RST: ALB does not say
      'request 500 target -',
      'request 504 lb connect-timeout', // -1 -1 -1 and ~10 s elapsed
      'request 504 lb response-timeout',
      'request 503 lb no-healthy-upstream', // 34+ fields: extra trailing fields tolerated
      'request 502 lb malformed-response', // target answered 200, LB sent 502
      'request 502 lb unknown', // grpcs
      'request 460 lb client-aborted', // the client closed first
      'request 500 lb unknown', // AuthInvalidIdToken
      'malformed', // truncated inside a quoted field
      'malformed', // too few fields
      'malformed', // not ALB
    ],
  },
  {
    file: 'elb-classic.log',
    format: 'elb-classic',
    expect: [
      'request 200 target -',
      'request 502 lb unknown',
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 503 lb no-healthy-upstream',
      'malformed',
    ],
  },
  {
    file: 'nginx-upstream.log',
    format: 'nginx-custom',
    extra: [nginxCustom],
    expect: [
      'request 200 target -',
      'request 502 lb upstream-closed-reused-connection', // uct=0.000 uht=-
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 502 lb connect-refused', // uct=-
      'request 200 target -', // 502, 200: retried
      'request 502 lb no-healthy-upstream', // upstream_addr is the group name
      'request 502 target -', // the backend itself sent 502 (header time set)
      'request 404 lb -',
      'malformed', // truncated
      'malformed', // status not a number
    ],
  },
  {
    file: 'nginx-combined.log',
    format: 'nginx-combined',
    expect: [
      'request 200 unknown -',
      'request 502 unknown -',
      'request 404 unknown -',
      'request 400 unknown -',
      'malformed',
    ],
  },
  {
    file: 'nginx-error.log',
    format: 'nginx-error',
    expect: [
      'upstream-error 502 lb upstream-closed-reused-connection',
      'upstream-error 502 lb upstream-closed-reused-connection', // 104
      'upstream-error 502 lb upstream-closed-reused-connection', // 32 while sending
      'upstream-error 502 lb connect-refused',
      'upstream-error 504 lb response-timeout',
      'upstream-error 504 lb connect-timeout', // musl wording, same errno
      'upstream-error 502 lb no-healthy-upstream',
      'upstream-error 502 lb malformed-response',
      'upstream-error 502 lb tls',
      'skip', // notice
      'upstream-error 499 lb client-aborted',
      'upstream-error 502 lb upstream-closed-reused-connection', // docker-compose prefix
      'malformed', // truncated header
    ],
  },
  {
    file: 'haproxy.log',
    format: 'haproxy',
    expect: [
      'request 200 target -',
      'request 502 lb upstream-closed-reused-connection', // SH-- Tr -1
      'request 500 target -',
      'request 504 lb response-timeout', // sH--
      'request 503 lb connect-refused', // SC--
      'request 503 lb no-healthy-upstream', // <NOSRV>
      'request 503 lb connect-timeout', // sC--
      'request 503 lb no-healthy-upstream', // sQ--
      'request 502 lb malformed-response', // PH--
      'request - lb client-aborted', // CH--, status -1
      'skip', // server DOWN message
      'malformed',
    ],
  },
  {
    file: 'envoy.log',
    format: 'envoy',
    expect: [
      'request 200 target -',
      'request 503 lb upstream-closed-reused-connection', // UC
      'request 500 target -',
      'request 504 lb response-timeout', // UT
      'request 503 lb connect-refused', // UF,URX
      'request 503 lb no-healthy-upstream', // UH
      'request 503 lb upstream-closed-reused-connection', // Istio format
      'request 503 lb tls',
      'malformed',
    ],
  },
  {
    file: 'envoy.jsonl',
    format: 'envoy-json',
    expect: [
      'request 200 target -',
      'request 503 lb upstream-closed-reused-connection',
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 503 lb connect-refused',
      'malformed',
    ],
  },
  {
    file: 'gcp-lb.jsonl',
    format: 'gcp-lb',
    expect: [
      'request 200 target -',
      'request 502 lb upstream-closed-reused-connection',
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 502 lb connect-refused',
      'request 503 lb no-healthy-upstream',
      'request 503 lb upstream-closed-reused-connection', // proxyStatus connection_terminated
      'request - lb client-aborted',
      'malformed',
    ],
  },
  {
    file: 'traefik.jsonl',
    format: 'traefik',
    expect: [
      'request 200 target -',
      'request 502 lb unknown', // OriginStatus 502 with an 11-byte body: Traefik's own
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 503 lb no-healthy-upstream', // OriginStatus 0
      'malformed',
    ],
  },
  {
    file: 'caddy.jsonl',
    format: 'caddy',
    expect: [
      'request 200 target -',
      'upstream-error 502 lb upstream-closed-reused-connection', // connection reset by peer
      'request 502 lb unknown',
      'request 500 target -',
      'upstream-error 502 lb connect-refused',
      'upstream-error 502 lb upstream-closed-reused-connection', // EOF
      'skip', // another logger
      'malformed',
    ],
  },
  {
    file: 'azure-appgw.jsonl',
    format: 'azure-appgw',
    expect: [
      'request 200 target -',
      'request 502 lb upstream-closed-reused-connection',
      'request 500 target -',
      'request 504 lb response-timeout',
      'request 502 lb no-healthy-upstream',
      'request 502 lb upstream-closed-reused-connection', // AGWAccessLogs (Log Analytics) shape
      'malformed',
    ],
  },
  {
    file: 'kap-node-proxy.jsonl',
    format: 'kap-node-proxy',
    expect: [
      'skip', // ready
      'request 200 target -',
      'upstream-error 502 lb upstream-closed-reused-connection', // reused socket, before the response
      'request 502 unknown -', // its error event (same rid) says the proxy generated it
      'upstream-error 502 lb connect-refused',
      'upstream-error - lb upstream-closed-mid-response', // body cut after the header
      'request 500 unknown -',
      'malformed', // truncated
    ],
  },
];

describe('log formats: fixtures per cause', () => {
  for (const c of CASES) {
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

  it('every registered format has a fixture', () => {
    const covered = new Set([...CASES, ...MORE_CASES].map((c) => c.format));
    for (const f of LOG_FORMATS)
      assert.ok(covered.has(f.id) || f.id === 'nginx-ingress', `no fixture for ${f.id}`);
  });

  it('no format claims another format’s fixture', () => {
    for (const c of CASES) {
      const lines = read(c.file).slice(0, 30);
      for (const f of LOG_FORMATS) {
        if (f.id === c.format || (c.format === 'nginx-custom' && f.id.startsWith('nginx-'))) continue;
        assert.ok(f.detect(lines) < 0.5, `${f.id} scores ${f.detect(lines)} on ${c.file}`);
      }
    }
  });
});

describe('log formats: details', () => {
  it('ALB: times, target, elapsed and request are read', () => {
    const r = LOG_FORMATS.find((f) => f.id === 'alb')!.parseLine(read('alb.log')[1]!);
    assert.ok(r?.ok);
    assert.equal(r.record.timeMs, Date.UTC(2018, 6, 2, 22, 23, 1, 500));
    assert.equal(r.record.requestMs, 1);
    assert.equal(r.record.target, '10.0.0.1:80');
    assert.equal(r.record.method, 'POST');
    assert.equal(r.record.path, '/orders');
  });

  it('nginx: "502, 200" marks a retried upstream error; $connection is kept', () => {
    const r = nginxCustom.parseLine(read('nginx-upstream.log')[5]!);
    assert.ok(r?.ok);
    assert.equal(r.record.retriedUpstreamError, true);
    assert.equal(r.record.retries, 1);
    assert.equal(r.record.connectionId, '6');
    assert.equal(r.record.timeMs, 1795507206000);
  });

  it('nginx: $time_local with an offset is converted to UTC', () => {
    const combined = LOG_FORMATS.find((f) => f.id === 'nginx-combined')!;
    const r = combined.parseLine(read('nginx-combined.log')[1]!);
    assert.ok(r?.ok);
    assert.equal(r.record.timeMs, Date.UTC(2026, 10, 24, 7, 0, 1));
  });

  it('nginx: a log_format with adjacent variables is refused, naming the flag', () => {
    assert.throws(
      () => nginxAccessFormat('$status$body_bytes_sent'),
      /--nginx-log-format|cannot be told apart/,
    );
    assert.throws(() => nginxAccessFormat('no variables'), /no \$variable/);
    assert.throws(() => nginxAccessFormat('$remote_addr $request_time'), /must contain \$status/);
  });

  it('nginx error log: the errno decides, not the libc wording', () => {
    const f = LOG_FORMATS.find((x) => x.id === 'nginx-error')!;
    const line =
      '2026/11/24 08:00:05 [error] 1#1: *6 upstream timed out (110: Operation timed out) while reading response header from upstream, client: 1.2.3.4, server: _, request: "GET / HTTP/1.1", upstream: "http://10.0.0.1:80/", host: "x"';
    const r = f.parseLine(line);
    assert.ok(r?.ok);
    assert.equal(r.record.cause, 'response-timeout');
    assert.equal(r.record.connectionId, '6');
  });

  it('ingress-nginx upstreaminfo: detected, upstream fields read', () => {
    const line =
      '10.0.0.9 - - [24/Nov/2026:08:00:01 +0000] "POST /api HTTP/1.1" 502 150 "-" "curl/8.5.0" 120 0.001 [default-web-80] [] 10.0.1.10:8080 0 0.000 502 4f6c1d2e3b';
    const detected = detectLogFormat([line]);
    assert.equal(detected?.format.id, 'nginx-ingress');
    const r = detected!.format.parseLine(line);
    assert.ok(r?.ok);
    assert.equal(r.record.generator, 'lb'); // upstream_response_length 0 for the proxy's own 502
    assert.equal(r.record.target, '10.0.1.10:8080');
  });

  it('HAProxy: a custom format without the captured-cookie fields still parses', () => {
    const r = LOG_FORMATS.find((x) => x.id === 'haproxy')!.parseLine(
      '127.0.0.1:40001 [24/Nov/2026:08:00:01.120] fe be/s1 0/0/0/-1/4 502 209 SH-- 1/1/0/0/0 0/0 "GET /race?rid=t1 HTTP/1.1"',
    );
    assert.ok(r?.ok);
    assert.equal(r.record.cause, 'upstream-closed-reused-connection');
    assert.equal(r.record.path, '/race?rid=t1');
  });

  it('HAProxy: retries with a redispatch "+" are read', () => {
    const r = LOG_FORMATS.find((x) => x.id === 'haproxy')!.parseLine(read('haproxy.log')[6]!);
    assert.ok(r?.ok);
    assert.equal(r.record.retries, 3);
  });
});
