import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLogFormat, nginxAccessFormat } from '../src/index.js';
import { feedLogs as feed } from './helpers.js';

/**
 * Apache httpd: the `apache-error` events join the recommended access log (docs/diagnose.md,
 * "Apache httpd: the recommended access log") by the client's port, so a target 500 and a proxy 502
 * from the same client ip in the same second are never swapped (time and ip alone would pair the
 * earlier request, the 500, with the 502's error line).
 */

const ERROR = findLogFormat('apache-error')!;
const ACCESS = nginxAccessFormat(
  '$remote_addr $connection $msec "$request" $status $body_bytes_sent up=http://$upstream_addr',
);

// 2026-12-06 05:31:19 UTC
const T = 1796535079;
const access = (port: number, ms: number, path: string, status: number) =>
  `127.0.0.1 ${port} ${T}.${String(ms).padStart(3, '0')} "GET ${path} HTTP/1.1" ${status} 3 up=http://127.0.0.1:8080`;

describe('apache-error joins the recommended Apache access log', () => {
  it('by client port: the 502 gets the error line, the earlier 500 of the same ip stays the target’s', () => {
    const d = feed([
      [
        'access.log',
        ACCESS,
        [access(50000, 0, '/ok', 200), access(50010, 100, '/err', 500), access(50020, 400, '/ok', 502)],
      ],
      [
        'error.log',
        ERROR,
        [
          '[Sun Dec 06 05:31:18.000000 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations',
          '[Sun Dec 06 05:31:19.401000 2026] [proxy_http:error] [pid 2:tid 3] (20014)Internal error (specific information not available): [client 127.0.0.1:50020] AH01102: error reading status line from remote server 127.0.0.1:8080',
          '[Sun Dec 06 05:31:19.401100 2026] [proxy:error] [pid 2:tid 3] [client 127.0.0.1:50020] AH00898: Error reading from remote server returned by /ok',
        ],
      ],
    ]);
    assert.equal(d.join.joined, 1);
    assert.deepEqual(d.join.pairs[0], {
      request: { file: 'access.log', line: 3 },
      events: [{ file: 'error.log', line: 2 }],
      cause: 'upstream-closed-reused-connection',
      phase: 'read-header',
    });
    assert.equal(d.join.targetByErrorLog, 1);
    const rows = Object.fromEntries(d.counts.map((c) => [`${c.generator} ${c.status} ${c.cause}`, c.count]));
    assert.deepEqual(rows, { 'lb 502 upstream-closed-reused-connection': 1, 'target 500 null': 1 });
  });
});
