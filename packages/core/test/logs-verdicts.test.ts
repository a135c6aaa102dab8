import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type CauseCode,
  detectLogFormat,
  diagnose,
  findLogFormat,
  type Generator,
  LogAnalyzer,
  type LogFormat,
  type LogRecord,
  mergePartials,
  NGINX_COMBINED,
  nginxAccessFormat,
  VERDICT_FINDINGS,
  VERDICT_RULES,
} from '../src/index.js';
import { feedLogs as feed } from './helpers.js';

/**
 * The nginx parsers' phases and join keys, the per-request join, and the verdict registry's
 * calibrated rules (crashes, mid-response, header too big, mixed, HAProxy silence), plus the public
 * nginx lines in ../shared/realworld/log-lines (read from there, never copied).
 */

const ERROR = findLogFormat('nginx-error')!;
const COMBINED = findLogFormat('nginx-combined')!;
const REALWORLD = new URL('../../../../shared/realworld/log-lines/', import.meta.url);
const DOCS = new URL('../../../docs/', import.meta.url);

function parse(format: LogFormat, line: string): LogRecord {
  const r = format.parseLine(line);
  assert.ok(r?.ok, `${format.id} did not parse: ${line} (${r === null ? 'skipped' : r.reason})`);
  return r.record;
}

const E = (time: string, cid: number, message: string, client = '10.0.0.9', request = 'GET /x HTTP/1.1') =>
  `2026/11/24 ${time} [error] 7#7: *${cid} ${message}, client: ${client}, server: _, request: "${request}", upstream: "http://10.1.0.5:8080/x", host: "a"`;
const A = (time: string, status: number, client = '10.0.0.9', path = '/x') =>
  `${client} - - [24/Nov/2026:${time} +0000] "GET ${path} HTTP/1.1" ${status} 150 "-" "curl/8"`;

describe('nginx error log: phases, causes and join keys', () => {
  const cases: Array<[string, CauseCode, string | undefined, number | null]> = [
    [
      'upstream prematurely closed connection while reading response header from upstream',
      'upstream-closed-reused-connection',
      'read-header',
      502,
    ],
    [
      'recv() failed (104: Connection reset by peer) while reading response header from upstream',
      'upstream-closed-reused-connection',
      'read-header',
      502,
    ],
    [
      'writev() failed (32: Broken pipe) while sending request to upstream',
      'upstream-closed-reused-connection',
      'send-request',
      502,
    ],
    [
      'upstream prematurely closed connection while reading upstream',
      'upstream-closed-mid-response',
      'read-body',
      null,
    ],
    [
      'readv() failed (104: Connection reset by peer) while reading upstream',
      'upstream-closed-mid-response',
      'read-body',
      null,
    ],
    [
      'recv() failed (104: Connection reset by peer) while reading upstream',
      'upstream-closed-mid-response',
      'read-body',
      null,
    ],
    [
      'connect() failed (111: Connection refused) while connecting to upstream',
      'connect-refused',
      'connect',
      502,
    ],
    ['no live upstreams while connecting to upstream', 'no-healthy-upstream', 'connect', 502],
    [
      'upstream sent too big header while reading response header from upstream',
      'response-header-too-big',
      'read-header',
      502,
    ],
    [
      'upstream timed out (110: Connection timed out) while reading response header from upstream',
      'response-timeout',
      'read-header',
      504,
    ],
  ];
  for (const [message, cause, phase, status] of cases) {
    it(`${message.slice(0, 60)} → ${cause} (${phase})`, () => {
      const r = parse(ERROR, E('08:00:01', 5, message));
      assert.equal(r.cause, cause);
      assert.equal(r.phase, phase);
      assert.equal(r.status, status);
      assert.equal(r.client, '10.0.0.9');
      assert.equal(r.requestLine, 'GET /x HTTP/1.1');
      assert.equal(r.connectionId, '5');
    });
  }

  it('reads a message pasted without its timestamp prefix (Kong/APISIX writev too), with no time', () => {
    const bare = [
      'upstream prematurely closed connection while reading response header from upstream, client: 10.0.0.9, server: _, request: "GET /x HTTP/1.1", upstream: "http://10.1.0.5:8080/x", host: "a"',
      '*42 writev() failed (32: Broken pipe) while sending request to upstream, client: 172.17.0.1, server: kong, request: "POST /api HTTP/1.1", upstream: "http://10.1.0.5:8080/api", host: "kong"',
    ];
    assert.ok(ERROR.detect(bare) >= 0.5);
    const [a, b] = bare.map((l) => parse(ERROR, l));
    assert.equal(a!.cause, 'upstream-closed-reused-connection');
    assert.ok(Number.isNaN(a!.timeMs));
    assert.equal(b!.phase, 'send-request');
    assert.equal(b!.connectionId, '42');
    assert.equal(ERROR.parseLine('hello world'), null);
  });
});

describe('per-request join (nginx combined + error log)', () => {
  it('a 502 gets its error-log line (cause, phase, file:line from both); a 502 with none in a covering error log is the target’s', () => {
    const d = feed([
      [
        'access.log',
        COMBINED,
        [A('08:00:00', 200), A('08:00:05', 502), A('08:00:09', 502, '10.0.0.7', '/y')],
      ],
      [
        'error.log',
        ERROR,
        [
          '2026/11/24 07:59:00 [notice] 7#7: start worker processes',
          E(
            '08:00:05',
            11,
            'upstream prematurely closed connection while reading response header from upstream',
          ),
        ],
      ],
    ]);
    assert.equal(d.join.joined, 1);
    assert.equal(d.join.targetByErrorLog, 1);
    assert.deepEqual(d.join.pairs[0], {
      request: { file: 'access.log', line: 2 },
      events: [{ file: 'error.log', line: 2 }],
      cause: 'upstream-closed-reused-connection',
      phase: 'read-header',
    });
    const rows = Object.fromEntries(d.counts.map((c) => [`${c.generator} ${c.status} ${c.cause}`, c.count]));
    assert.deepEqual(rows, { 'lb 502 upstream-closed-reused-connection': 1, 'target 502 null': 1 });
  });

  it('keys that disagree never join (another client, another request line)', () => {
    const d = feed([
      ['access.log', COMBINED, [A('08:00:05', 502, '10.0.0.1')]],
      ['error.log', ERROR, [E('08:00:05', 11, 'no live upstreams while connecting to upstream', '10.0.0.2')]],
    ]);
    assert.equal(d.join.joined, 0);
  });

  it('an error log whose lines go back in time (a compilation of excerpts) covers nothing', () => {
    const d = feed([
      ['access.log', COMBINED, [A('08:00:05', 502)]],
      [
        'error.log',
        ERROR,
        [
          E('09:00:00', 1, 'no live upstreams while connecting to upstream', '10.9.9.9'),
          E('07:00:00', 2, 'no live upstreams while connecting to upstream', '10.9.9.9'),
        ],
      ],
    ]);
    assert.equal(d.join.targetByErrorLog, 0);
    assert.equal(d.totals.unknown5xx, 1);
    assert.equal(d.verdict, 'inconclusive');
  });
});

// Synthetic records for the calibrated rules.
const T0 = Date.UTC(2026, 10, 24, 8, 0, 0);
const ALB = findLogFormat('alb')!;
interface Spec {
  t: number;
  status: number;
  generator?: Generator;
  cause?: CauseCode | null;
  kind?: LogRecord['kind'];
  phase?: LogRecord['phase'];
  target?: string;
}
function run(specs: Spec[], format: LogFormat = ALB) {
  const a = new LogAnalyzer();
  a.beginInput('test.log', format);
  specs
    .sort((x, y) => x.t - y.t)
    .forEach((s, i) => {
      a.addRecord(
        {
          kind: s.kind,
          timeMs: s.t,
          status: s.status,
          targetStatus: s.status < 500 || s.generator === 'target' ? s.status : null,
          generator: s.generator ?? (s.status >= 500 ? 'lb' : 'target'),
          cause: s.cause ?? null,
          phase: s.phase,
          target: s.target ?? '10.0.0.1:80',
          requestMs: 2,
        },
        i + 1,
        `line ${i + 1}`,
      );
    });
  return diagnose(a.toPartial());
}
/** Rounds of: 3 quick requests, an idle pause of `idleMs`, then `last`. */
function rounds(n: number, idleMs: number, last: (i: number) => Omit<Spec, 't'>, from = T0): Spec[] {
  const out: Spec[] = [];
  let t = from;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      t += 20;
      out.push({ t, status: 200 });
    }
    t += idleMs;
    out.push({ t, ...last(i) });
  }
  return out;
}
const RACE = {
  status: 502,
  cause: 'upstream-closed-reused-connection' as const,
  phase: 'read-header' as const,
};

describe('calibrated verdicts', () => {
  it('race-shaped failures on busy connections while idle traffic is fine → not-this-trap (a crash)', () => {
    const specs = [...rounds(10, 1500, () => ({ status: 200 })), ...rounds(6, 5, () => RACE, T0 + 60_000)];
    const d = run(specs);
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'race-shaped-on-busy-connections');
  });

  it('body-phase failures outnumbering the race-shaped ones → not-this-trap (crash mid-response)', () => {
    const specs = [
      ...rounds(3, 1500, () => RACE),
      ...[1, 2, 3, 4, 5].map((i) => ({
        t: T0 + 90_000 + i * 100,
        status: 502,
        kind: 'upstream-error' as const,
        cause: 'upstream-closed-mid-response' as const,
        phase: 'read-body' as const,
      })),
    ];
    const d = run(specs);
    assert.equal(d.reasons[0]!.code, 'crash-mid-response');
    assert.equal(d.totals.midResponse, 5);
    assert.equal(d.phases['read-body'], 5);
  });

  it('one or two race-shaped failures → inconclusive, saying what to collect next', () => {
    const d = run(rounds(2, 1500, () => RACE));
    assert.equal(d.verdict, 'inconclusive');
    assert.equal(d.reasons[0]!.code, 'too-few');
    assert.match(d.reasons[0]!.message, /Collect next/);
  });

  it('race after idle gaps plus target 500s on busy connections → keepalive-race plus a second finding', () => {
    const specs = [
      ...rounds(8, 1500, () => RACE),
      ...rounds(8, 5, () => ({ status: 500, generator: 'target' as const }), T0 + 120_000),
    ];
    const d = run(specs);
    assert.equal(d.verdict, 'keepalive-race');
    assert.equal(d.reasons[0]!.code, 'race-signature');
    assert.ok(d.reasons.some((r) => r.code === 'independent-target-errors'));
  });

  it('upstream sent too big header → not-this-trap with the buffer fix', () => {
    const d = run([
      ...rounds(5, 10, () => ({ status: 200 })),
      ...[1, 2, 3].map((i) => ({
        t: T0 + 60_000 + i,
        status: 502,
        cause: 'response-header-too-big' as const,
      })),
    ]);
    assert.equal(d.reasons[0]!.code, 'response-header-too-big');
    assert.match(d.reasons[0]!.message, /proxy_buffer_size/);
  });

  it('an HAProxy log without 5xx clears nothing: inconclusive, saying what the log cannot show', () => {
    const d = run(
      rounds(5, 100, () => ({ status: 200 })),
      findLogFormat('haproxy')!,
    );
    assert.equal(d.verdict, 'inconclusive');
    assert.equal(d.reasons[0]!.code, 'haproxy-silence');
    assert.match(d.reasons[0]!.message, /no log line/);
  });

  it('every rule is kebab-case, has docs/verdicts/<id>.md stating its verdict, and is listed in docs/diagnose.md', () => {
    const guide = readFileSync(new URL('diagnose.md', DOCS), 'utf8');
    const ids = new Set<string>();
    for (const rule of [...VERDICT_RULES, ...VERDICT_FINDINGS]) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      ids.add(rule.id);
      const page = readFileSync(new URL(`verdicts/${rule.id}.md`, DOCS), 'utf8');
      assert.ok(page.startsWith(`# \`${rule.id}\``), `${rule.id}.md starts with its id`);
      assert.ok(
        page.includes(`**Verdict:** ${rule.verdict ?? 'finding'}`),
        `${rule.id}.md states its verdict`,
      );
      assert.ok(
        guide.includes(`[\`${rule.id}\`](verdicts/${rule.id}.md)`),
        `docs/diagnose.md lists ${rule.id}`,
      );
    }
    for (const file of readdirSync(new URL('verdicts/', DOCS)).filter((f) => f.endsWith('.md')))
      assert.ok(ids.has(file.replace(/\.md$/, '')), `${file} has no rule`);
  });
});

describe('public nginx lines (../shared/realworld/log-lines)', () => {
  const read = (name: string) =>
    readFileSync(new URL(name, REALWORLD), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');

  it('nginx-error.log: every line is read; causes agree with SOURCES.md', () => {
    const lines = read('nginx-error.log');
    const got = lines.map((l) => {
      const r = ERROR.parseLine(l);
      assert.ok(r === null || r.ok, l);
      return r === null ? null : `${r.record.cause}/${r.record.phase}`;
    });
    const race = 'upstream-closed-reused-connection/read-header';
    assert.deepEqual(got, [
      null,
      race,
      null,
      race,
      null,
      race,
      null,
      race, // warn "temporarily disabled" lines are not failures
      'connect-timeout/connect',
      'connect-timeout/connect',
      null, // musl's "(110: Operation timed out)"
      'no-healthy-upstream/connect',
      'no-healthy-upstream/connect',
      'no-healthy-upstream/connect', // behind a Cloud Logging prefix
      null,
      null, // a static-file error and an upstream warn: not upstream failures
    ]);
  });

  it('nginx-access.log: every line parses with the format detected for it; the ingress 502 after two attempts is nginx’s', () => {
    const lines = read('nginx-access.log');
    const records = lines.map((l) => {
      const found = detectLogFormat([l]);
      assert.ok(found, `no format for ${l}`);
      return { id: found.format.id, record: parse(found.format, l) };
    });
    assert.equal(records.filter((r) => r.id === 'nginx-ingress').length, 5);
    assert.equal(records[2]!.record.client, '10.154.15.240', 'the Cloud Logging prefix is not the client');
    const ingress502 = records[13]!.record;
    assert.equal(ingress502.status, 502);
    assert.equal(ingress502.generator, 'lb');
    assert.equal(records[11]!.record.generator, 'lb'); // 400 with no upstream: nginx answered itself
  });

  it('access + error log: the 502s join their "no live upstreams" lines and the 504s their connect timeouts, citing both files', () => {
    const d = feed([
      ['nginx-access.log', nginxAccessFormat(NGINX_COMBINED), read('nginx-access.log')],
      ['nginx-error.log', ERROR, read('nginx-error.log')],
    ]);
    const pairs = d.join.pairs.map(
      (p) => `${p.request.line}->${p.events.map((e) => e.line).join(',')} ${p.cause}`,
    );
    assert.deepEqual(pairs.sort(), [
      '1->12 no-healthy-upstream',
      '2->13 no-healthy-upstream',
      '5->9 connect-timeout',
      '6->10 connect-timeout',
    ]);
    assert.equal(d.join.targetByErrorLog, 0, 'a compilation of excerpts covers no period');
    assert.equal(d.verdict, 'not-this-trap');
    assert.equal(d.reasons[0]!.code, 'target-unreachable');
    const cited = new Set(d.reasons[0]!.examples.map((x) => x.file));
    assert.deepEqual([...cited].sort(), ['nginx-access.log', 'nginx-error.log']);
  });
});

describe('merging keeps the join', () => {
  it('access and error log analysed separately and merged join the same way', () => {
    const a = new LogAnalyzer();
    a.beginInput('access.log', COMBINED);
    a.addLine(A('08:00:05', 502), 1);
    const b = new LogAnalyzer();
    b.beginInput('error.log', ERROR);
    b.addLine(E('08:00:05', 3, 'connect() failed (111: Connection refused) while connecting to upstream'), 1);
    const d = diagnose(mergePartials(a.toPartial(), b.toPartial()));
    assert.equal(d.join.joined, 1);
    assert.equal(d.counts[0]!.cause, 'connect-refused');
  });
});
