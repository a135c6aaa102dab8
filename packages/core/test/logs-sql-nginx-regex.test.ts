import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileNginxLogFormat,
  matchNginxLine,
  NGINX_COMBINED,
  NGINX_INGRESS_UPSTREAMINFO,
} from '../src/logs/formats/nginx-access.js';
import { nginxLogFormatRegex } from '../src/logs/sql.js';

/**
 * `--emit-sql` compiles an nginx log_format to one regular expression (sql/nginx.ts); it must split
 * every line the streaming matcher (`matchNginxLine`) accepts into the same values. Checked here
 * with JavaScript's engine, which picks the same match as RE2 and Java for these expressions
 * (leftmost-first, lazy and greedy groups; `(?s)` becomes the `s` flag), on hand-made tricky lines
 * and on lines fast-check builds with a fixed seed (deterministic: no chance involved).
 */

const FORMATS = [
  NGINX_COMBINED,
  NGINX_INGRESS_UPSTREAMINFO,
  // The corpus's format: list variables after literal prefixes.
  '$remote_addr [$time_local] $msec "$request" $status $body_bytes_sent $request_time $connection $connection_requests up=$upstream_addr us=$upstream_status uct=$upstream_connect_time uht=$upstream_header_time urt=$upstream_response_time',
  // Lists separated by single spaces, and a list variable last.
  '$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_connect_time $request_time $upstream_header_time',
  // A variable twice (the streaming parser reads the last), and a trailing literal space.
  '$status $remote_addr $status [$time_iso8601] $upstream_status ',
];

const LISTS = [
  '127.0.0.1:8080',
  '-',
  '10.0.0.1:80, 10.0.0.2:80',
  'a : b',
  '502, 200',
  '0.000, 0.001 : 0.002',
  '',
];
const VALUES = [
  '200',
  '-',
  'GET /a b HTTP/1.1',
  'Mozilla/5.0 (X11) "quoted"',
  '1793491200.026',
  '01/Nov/2026:00:00:00 +0000',
  '2026-11-01T00:00:00+00:00',
  'x, y',
  'p : q',
  '',
];

/** Lines of a format: each variable a list or other value, sometimes extra fields or cut short. */
function lines(format: string): fc.Arbitrary<string> {
  const compiled = compileNginxLogFormat(format);
  const values = compiled.segments.map((s) => fc.constantFrom(...(s.list ? LISTS : VALUES)));
  return fc
    .tuple(
      fc.tuple(...values),
      fc.constantFrom('whole', 'extra', 'cut'),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([vs, end, at]) => {
      const line = compiled.prefix + compiled.segments.map((s, i) => vs[i] + s.after).join('');
      if (end === 'extra') return `${line} extra "field"`;
      return end === 'cut' ? line.slice(0, Math.floor(at * line.length)) : line;
    });
}

function check(format: string, line: string): boolean {
  const compiled = compileNginxLogFormat(format);
  const values = matchNginxLine(compiled, line);
  if (values === null) return false;
  const { regex, groups } = nginxLogFormatRegex(format);
  assert.ok(regex.startsWith('(?s)'));
  const m = new RegExp(regex.slice(4), 's').exec(line);
  assert.ok(m !== null, `${format}\n${line}`);
  const last = new Map(compiled.segments.map((s, i) => [s.variable, i]));
  for (const [name, group] of groups) {
    assert.equal(m[group], values[last.get(name)!], `$${name} of ${JSON.stringify(line)} in ${format}`);
  }
  return true;
}

describe('nginx log_format → one regular expression (--emit-sql)', () => {
  it('splits hand-made lines as the streaming matcher does', () => {
    const lines: Array<[string, string]> = [
      [
        FORMATS[3]!,
        '10.0.0.9 [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 502 10.0.0.1:80, 10.0.0.2:80 502, 200 0.000, 0.001 0.004 -, 0.002',
      ],
      [
        FORMATS[3]!,
        '10.0.0.9 [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 502 a : b 502 : 502 0.000 : 0.000 0.004 -',
      ],
      [
        FORMATS[2]!,
        '1.2.3.4 [01/Nov/2026:00:00:00 +0000] 1793491200.026 "GET /a b HTTP/1.1" 502 0 0.001 7 2 up=127.0.0.1:8080 us=502 uct=0.000 uht=- urt=0.000',
      ],
      [FORMATS[4]!, '200 1.2.3.4 504 [2026-11-01T00:00:00+00:00] 504 '],
      [FORMATS[4]!, '200 1.2.3.4 504 [2026-11-01T00:00:00+00:00] 504'],
    ];
    for (const [format, line] of lines) assert.ok(check(format, line), line);
  });

  it('splits 10,000 generated lines as the streaming matcher does', () => {
    let accepted = 0;
    for (const format of FORMATS) {
      // A fixed seed: the same lines on every run (no chance involved).
      fc.assert(
        fc.property(lines(format), (line) => {
          if (check(format, line)) accepted++;
        }),
        { seed: 16, numRuns: 2000 },
      );
    }
    // Most generated lines are accepted (the rest are cut or ambiguous): the check is not vacuous.
    assert.ok(accepted > 4000, `${accepted} accepted`);
  });

  it('captures at most 8 groups (DuckDB regexp_extract takes 0 to 9)', () => {
    const { groups } = nginxLogFormatRegex(
      '$time_local $msec $time_iso8601 $status $request_time $upstream_addr $upstream_status $upstream_connect_time $upstream_header_time $upstream_response_length $remote_addr',
    );
    assert.deepEqual([...groups.keys()].sort(), [
      'msec',
      'request_time',
      'status',
      'upstream_addr',
      'upstream_connect_time',
      'upstream_header_time',
      'upstream_response_length',
      'upstream_status',
    ]);
  });
});
