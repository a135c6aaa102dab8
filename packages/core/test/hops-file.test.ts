import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleHops, evaluate, KeepaliveParityError, parseHopsFile, parseSource } from '../src/index.js';

const io = { getEnv: (name: string) => ({ KA_MS: '65000', EMPTY: '' })[name] };

describe('hops file', () => {
  it('reads explicit hops with file:line for each side', () => {
    const file = parseHopsFile(
      `margin: 3s
hops:
  - name: ALB to app
    client: runtime:aws-alb
    server:
      source: env:KA_MS
      unit: ms
      product: node
      headersTimeout: 66s
`,
      'hops.yaml',
    );
    assert.equal(file.marginMs, 3000);
    assert.equal(file.hops.length, 1);
    assert.equal(file.hops[0]!.client.line, 4);
    assert.equal(file.hops[0]!.server.product, 'node');
    assert.match(file.hops[0]!.server.field, /^hops\.yaml:6/);
  });

  it('turns a chain into hops: node[i].pool → node[i+1].keepalive', async () => {
    const file = parseHopsFile(
      `chain:
  - { name: CloudFront, pool: runtime:cloudfront }
  - { name: ALB, keepalive: 60s, pool: 60s }
  - { name: app, keepalive: 65s }
`,
      'chain.yaml',
    );
    assert.deepEqual(
      file.hops.map((h) => h.name),
      ['CloudFront → ALB', 'ALB → app'],
    );
    const hops = await assembleHops(file.hops, io, { allowDefault: true });
    const result = evaluate(hops);
    assert.deepEqual(
      result.hops.map((h) => h.verdict),
      ['holds', 'holds'],
    );
  });

  it('names the file, line and field of every mistake', () => {
    const cases: Array<[string, RegExp]> = [
      ['hops: [', /bad\.yaml:\d+: not valid YAML/],
      ['- a\n- b\n', /bad\.yaml:1: expected a mapping/],
      ['hops:\n  - client: 60s\n', /bad\.yaml:2: hops\[0\] needs both "client" and "server"/],
      ['hops:\n  - client: 60s\n    server: 65s\n    colour: red\n', /bad\.yaml:4: unknown field "colour"/],
      [
        'margin: soon\nhops:\n  - { client: 60s, server: 65s }\n',
        /bad\.yaml:1: invalid duration "soon" for margin/,
      ],
      [
        'chain:\n  - { name: a, pool: 60s }\n  - { name: b }\n',
        /bad\.yaml:3: chain\[1\] \(b\) needs "keepalive"/,
      ],
      ['hops: []\nchain: []\n', /exactly one of/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseHopsFile(text, 'bad.yaml'),
        (error: unknown) =>
          error instanceof KeepaliveParityError &&
          error.code === 'KAP_INPUT_INVALID' &&
          message.test(error.message),
        text,
      );
    }
  });
});

describe('sources', () => {
  it('parses kind:locator[#fragment] and literal values', () => {
    assert.deepEqual(parseSource('60s'), { kind: 'value', locator: '60s', raw: '60s' });
    const runtime = parseSource('runtime:puma@6.4');
    assert.equal(runtime.kind, 'runtime');
    assert.equal(runtime.locator, 'puma');
    assert.equal(runtime.version, '6.4');
    assert.throws(() => parseSource('nosuchkind:x'), /unknown source kind "nosuchkind"/);
    assert.throws(() => parseSource('env:'), /nothing after "env:"/);
  });

  it('env: reads the variable and refuses unset or empty ones, naming them', async () => {
    const hops = await assembleHops(
      [
        {
          client: { source: '60s', extras: {}, field: '--lb', file: 'x', line: 0 },
          server: { source: 'env:KA_MS', unit: 'ms', extras: {}, field: '--backend', file: 'x', line: 0 },
          line: 0,
        },
      ],
      io,
      { allowDefault: false },
    );
    assert.equal(evaluate(hops).verdict, 'holds');
    const missing = (name: string) =>
      assembleHops(
        [
          {
            client: { source: '60s', extras: {}, field: '--lb', file: 'x', line: 0 },
            server: { source: `env:${name}`, unit: 's', extras: {}, field: '--backend', file: 'x', line: 0 },
            line: 0,
          },
        ],
        io,
        { allowDefault: false },
      );
    await assert.rejects(missing('NOPE'), /environment variable NOPE is not set/);
    await assert.rejects(
      missing('EMPTY'),
      /invalid duration "" for --backend \(env EMPTY\): the value is empty/,
    );
  });

  it('runtime: defaults are refused unless allowed (assert without --allow-default)', async () => {
    const spec = {
      client: { source: '60s', extras: {}, field: '--lb', file: 'x', line: 0 },
      server: { source: 'runtime:gunicorn', extras: {}, field: '--backend', file: 'x', line: 0 },
      line: 0,
    };
    await assert.rejects(
      assembleHops([spec], io, { allowDefault: false }),
      /knowledge-base default.*--allow-default/,
    );
    const hops = await assembleHops([spec], io, { allowDefault: true });
    assert.equal(evaluate(hops).verdict, 'violation');
  });
});
