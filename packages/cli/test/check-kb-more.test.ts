import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJson, runCli } from './cli-helpers.js';

/**
 * Issue 11: the platforms and servers public incident reports name, each through `check` as a user
 * types it: its default with the source, and the fix in the product's own words.
 */

async function check(args: string[]) {
  const result = await runCli(['check', ...args, '--allow-default', '--json']);
  const doc = parseJson(result);
  return { result, doc, hop: doc.hops?.[0] };
}

function fact(side: any, subject: string) {
  return side.facts.find((f: any) => f.subject === subject);
}

function fixTexts(doc: any): string[] {
  return doc.findings.flatMap((f: any) => (f.fixes ?? []).map((x: any) => x.text));
}

describe('knowledge base additions, through check', () => {
  it('Cloud Foundry gorouter: a fixed 90 s backend idle, so a 65 s Puma races behind it', async () => {
    const { result, doc, hop } = await check(['--lb', 'runtime:gorouter', '--backend', '65s']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(hop.clientIdleMs, 90_000);
    const pool = fact(hop.client, 'pool-idle');
    assert.equal(pool.product, 'cf-gorouter');
    assert.match(pool.provenance.sourceUrl, /gorouter\/proxy\/proxy\.go$/);
    // Not a setting users can change: the fix that lowers it says so.
    assert.ok(fixTexts(doc).some((t) => /not configurable \(90 s in gorouter\)/.test(t)));
  });

  it('Azure App Service front end: no documented idle value, so the verdict is unknown, not a guess', async () => {
    const { result, doc } = await check(['--lb', 'runtime:azure-app-service', '--backend', '65s']);
    assert.equal(result.code, 2, result.stdout);
    assert.equal(doc.verdict, 'unknown');
    assert.ok(doc.findings.some((f: any) => f.id === 'value-unknown'));
  });

  it('Apache APISIX: upstream keepalive_timeout 60 s vs a 30 s backend, the fix in config.yaml', async () => {
    const { result, doc, hop } = await check(['--lb', 'runtime:apisix', '--backend', '30s']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(hop.clientIdleMs, 60_000);
    assert.match(fact(hop.client, 'pool-idle').provenance.sourceUrl, /apache\/apisix\/blob\/f380fcf/);
    assert.ok(
      fixTexts(doc).some((t) => /nginx_config: \{ http: \{ upstream: \{ keepalive_timeout: 25s/.test(t)),
    );
    // As a server (client → APISIX), its own keepalive_timeout 60 s.
    const server = await check(['--lb', '30s', '--backend', 'runtime:apache-apisix']);
    assert.equal(server.hop.serverKeepAliveMs, 60_000);
  });

  it('Fabio: proxy.idleconntimeout defaults to no idle limit; the fix names it, not proxy.keepalivetimeout', async () => {
    const { result, doc, hop } = await check(['--lb', 'runtime:fabio', '--backend', '120s']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(fact(hop.client, 'pool-idle').valueType, 'unbounded');
    const texts = fixTexts(doc).join('\n');
    assert.match(texts, /proxy\.idleconntimeout = 115s/);
    assert.match(texts, /proxy\.keepalivetimeout is TCP keep-alive/);
  });

  it('H2O: proxy.timeout.keepalive 2000 ms is below a 5 s uvicorn: holds; its HTTP/1 server waits 10 s', async () => {
    const { result, hop } = await check([
      '--lb',
      'runtime:h2o',
      '--backend',
      'runtime:uvicorn',
      '--margin',
      '1s',
    ]);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(hop.clientIdleMs, 2_000);
    const server = await check(['--lb', '60s', '--backend', 'runtime:h2o']);
    assert.equal(server.hop.serverKeepAliveMs, 10_000);
    assert.ok(fixTexts(server.doc).some((t) => t === 'http1-request-timeout: 65  # h2o.conf, seconds'));
  });

  it('Sanic: 120 s now, 5 s before 23.3 (runtime:sanic@22.12)', async () => {
    const now = await check(['--lb', '60s', '--backend', 'runtime:sanic']);
    assert.equal(now.result.code, 0, now.result.stdout);
    assert.equal(now.hop.serverKeepAliveMs, 120_000);
    const old = await check(['--lb', '60s', '--backend', 'runtime:sanic@22.12']);
    assert.equal(old.result.code, 1);
    assert.equal(old.hop.serverKeepAliveMs, 5_000);
    assert.ok(fixTexts(old.doc).some((t) => /app\.config\.KEEP_ALIVE_TIMEOUT = 65/.test(t)));
  });

  it('Bandit: Thousand Island read_timeout 60 s is zero margin behind a 60 s ALB', async () => {
    const { result, doc, hop } = await check(['--lb', 'runtime:aws-alb', '--backend', 'runtime:bandit']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(hop.serverKeepAliveMs, 60_000);
    assert.ok(fixTexts(doc).some((t) => /thousand_island_options: \[read_timeout: 65000\]/.test(t)));
  });

  it('Undertow: NO_REQUEST_TIMEOUT 60 s through Undertow.builder()', async () => {
    const { hop, doc } = await check(['--lb', '60s', '--backend', 'runtime:undertow']);
    assert.equal(hop.serverKeepAliveMs, 60_000);
    assert.match(
      fact(hop.server, 'server-keepalive').provenance.sourceUrl,
      /undertow-io\/undertow\/blob\/845341d/,
    );
    assert.ok(fixTexts(doc).some((t) => /NO_REQUEST_TIMEOUT, 65000\)/.test(t)));
  });

  it('Spring Boot servers by their property names: Tomcat 60 s, Jetty 30 s, Undertow 60 s, Netty unbounded', async () => {
    const cases: Array<[string, number | 'unbounded']> = [
      ['server.tomcat.keep-alive-timeout', 60_000],
      ['server.jetty.connection-idle-timeout', 30_000],
      ['server.undertow.no-request-timeout', 60_000],
      ['server.netty.idle-timeout', 'unbounded'],
    ];
    for (const [property, expected] of cases) {
      const { hop, doc } = await check(['--lb', '60s', '--backend', `runtime:${property}`]);
      const keepAlive = fact(hop.server, 'server-keepalive');
      if (expected === 'unbounded') assert.equal(keepAlive.valueType, 'unbounded', property);
      else {
        assert.equal(hop.serverKeepAliveMs, expected, property);
        assert.ok(
          fixTexts(doc).some((t) => t.startsWith(`${property}=65s`)),
          `${property}: ${fixTexts(doc).join(' | ')}`,
        );
      }
      assert.match(keepAlive.provenance.sourceUrl, /docs\.spring\.io\/spring-boot/);
    }
  });

  it('an unknown --lb-product / --backend-product is exit 2 with the closest known names', async () => {
    const backend = await runCli(['check', '--lb', '60s', '--backend', '5', '--backend-product', 'gunicron']);
    assert.equal(backend.code, 2);
    assert.match(backend.stderr, /--backend-product: unknown product "gunicron"; did you mean gunicorn/);
    const lb = await runCli(['check', '--lb', '60', '--lb-product', 'gorouterr', '--backend', '65s']);
    assert.equal(lb.code, 2);
    assert.match(lb.stderr, /--lb-product: unknown product "gorouterr"; did you mean cf-gorouter/);
    // The same words for runtime:.
    const runtime = await runCli(['check', '--lb', '60s', '--backend', 'runtime:sanik', '--allow-default']);
    assert.equal(runtime.code, 2);
    assert.match(runtime.stderr, /unknown product "sanik"; did you mean sanic/);
  });
});
