import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJson, runCli } from './cli-helpers.js';

const DUMP = readFileSync(
  fileURLToPath(new URL('../../core/test/fixtures/envoy/config_dump.json', import.meta.url)),
  'utf8',
);

describe('envoy:ADMIN_URL reads /config_dump over HTTP (a local admin endpoint)', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/config_dump') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(DUMP);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('check --lb envoy:URL#CLUSTER --backend 65s --json: the cluster idle (1 h) beats the backend', async () => {
    const cluster = 'outbound|8080||web.default.svc.cluster.local';
    const result = await runCli([
      'check',
      '--lb',
      `envoy:${base}/config_dump#${cluster}`,
      '--backend',
      '65s',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const doc = parseJson(result);
    assert.equal(doc.hops[0].clientIdleMs, 3_600_000);
    assert.equal(doc.hops[0].client.label, `Envoy cluster ${cluster}`);
  });

  it('an admin URL that answers 404 is a clear input error (exit 2)', async () => {
    const result = await runCli(['check', '--lb', `envoy:${base}/nope`, '--backend', '65s']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /answered HTTP 404/);
  });
});
