import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * `diagnose s3://...` through the real AWS SDK against a minimal S3-compatible server on 127.0.0.1
 * (ListObjectsV2 and GetObject only; S3 itself cannot run here). Checks object-by-object streaming,
 * gzip, and that --since/--until list only the window's day folders and never download objects whose
 * key time is outside the window.
 */

const FIXTURE = readFileSync(
  fileURLToPath(new URL('../../core/test/fixtures/logs/alb.log', import.meta.url)),
);
const PREFIX = 'AWSLogs/123456789012/elasticloadbalancing/us-east-2/';
const key = (day: string, end: string) =>
  `${PREFIX}2018/07/${day}/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_${end}_10.0.0.1_abcd1234.log.gz`;
const OBJECTS = new Map<string, Buffer>([
  [key('02', '20180702T2225Z'), gzipSync(FIXTURE)], // covers 22:20–22:25: in the window
  [key('02', '20180702T2100Z'), gzipSync(FIXTURE)], // before the window
  [key('01', '20180701T2225Z'), gzipSync(FIXTURE)], // another day
]);
const listed: string[] = [];
const fetched: string[] = [];
let server: http.Server;
let endpoint: string;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== 'logs') {
      res.writeHead(404).end();
      return;
    }
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
      const prefix = url.searchParams.get('prefix') ?? '';
      listed.push(prefix);
      const keys = [...OBJECTS.keys()].filter((k) => k.startsWith(prefix));
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>logs</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${keys
            .map(
              (k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${OBJECTS.get(k)!.length}</Size></Contents>`,
            )
            .join('')}</ListBucketResult>`,
        );
      return;
    }
    const k = decodeURIComponent(rest.join('/'));
    const body = OBJECTS.get(k);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    fetched.push(k);
    res
      .writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const env = () => ({
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-2',
  AWS_EC2_METADATA_DISABLED: 'true',
});

describe('diagnose s3://', () => {
  it('streams every object under the prefix', async () => {
    const r = await runCli(['diagnose', `s3://logs/${PREFIX}`, '--json'], { env: env() });
    const d = parseJson(r);
    assert.equal(d.lines, 3 * 13);
    assert.equal(fetched.length, 3);
    assert.ok(
      d.inputs.some((i: Record<string, unknown>) =>
        String(i.name).endsWith('20180702T2225Z_10.0.0.1_abcd1234.log.gz'),
      ),
    );
  });

  it('--since/--until list only the window’s days and skip objects outside it by key', async () => {
    listed.length = 0;
    fetched.length = 0;
    const r = await runCli(
      [
        'diagnose',
        `s3://logs/${PREFIX}`,
        '--json',
        '--since',
        '2018-07-02T22:20:00Z',
        '--until',
        '2018-07-02T22:30:00Z',
      ],
      { env: env() },
    );
    const d = parseJson(r);
    assert.deepEqual(listed, [`${PREFIX}2018/07/02/`, `${PREFIX}2018/07/03/`]);
    assert.deepEqual(fetched, [key('02', '20180702T2225Z')]);
    assert.equal(d.requests, 10); // every fixture line is inside [22:20, 22:30)
    assert.equal(d.outsideWindowLines, 0);
  });
});
