import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caddyReader } from '../src/readers/caddy/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

const read = (text: string, file = 'Caddyfile') => caddyReader.read({ text, file });

describe('caddy reader: Caddyfile shapes as Caddy adapts them', () => {
  it('one server side per listener, each with its own servers block, else the block without an address', () => {
    const result = read(
      [
        '{',
        '\thttp_port 8000',
        '\tservers {',
        '\t\ttimeouts {',
        '\t\t\tidle 90s',
        '\t\t}',
        '\t}',
        '\tservers :8000 {',
        '\t\ttimeouts {',
        '\t\t\tidle 60s',
        '\t\t}',
        '\t}',
        '}',
        'a.example, b.example {',
        '}',
        'http://c.example {',
        '}',
        ':9000 {',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const server = (name: string) => sideNamed(result, 'server', name);
    assert.deepEqual(brief(factOf(server(':443'), 'server-keepalive')), { value: 90_000, at: 'Caddyfile:5' });
    assert.deepEqual(server(':443').targets, ['a.example', 'b.example']);
    assert.deepEqual(brief(factOf(server(':8000'), 'server-keepalive')), {
      value: 60_000,
      at: 'Caddyfile:10',
    });
    assert.deepEqual(brief(factOf(server(':9000'), 'server-keepalive')), {
      value: 90_000,
      at: 'Caddyfile:5',
    });
    assert.equal(result.sides.length, 3);
  });

  it("a site without braces: its reverse_proxy keeps its own block (and the transport's keepalive)", () => {
    const result = read(':8884\n\nreverse_proxy app:3000 {\n\ttransport http {\n\t\tkeepalive 45s\n\t}\n}\n');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'app:3000'), 'pool-idle')), {
      value: 45_000,
      at: 'Caddyfile:5',
    });
    assert.equal(sideNamed(result, 'pool', 'app:3000').label, 'Caddy reverse_proxy app:3000 (:8884)');
    assert.equal(factOf(sideNamed(result, 'server', ':8884'), 'server-keepalive').isDefault, true);
  });

  it('fastcgi does not pool; h2c is a separate transport: unknown, not the 2 m HTTP pool', () => {
    const caddyfile = read(
      ':80 {\n\treverse_proxy php:9000 {\n\t\ttransport fastcgi\n\t}\n\treverse_proxy h2c://grpc:50051\n}\n',
    );
    assert.deepEqual(brief(factOf(sideNamed(caddyfile, 'pool', 'php:9000'), 'pool-idle')), {
      value: 'disabled',
      at: 'Caddyfile:3',
    });
    assert.equal(factOf(sideNamed(caddyfile, 'pool', 'h2c://grpc:50051'), 'pool-idle').value.type, 'unset');
    const json = read(
      JSON.stringify(
        {
          apps: {
            http: {
              servers: {
                srv0: {
                  listen: [':80'],
                  routes: [
                    {
                      handle: [
                        {
                          handler: 'reverse_proxy',
                          transport: { protocol: 'fastcgi' },
                          upstreams: [{ dial: 'php:9000' }],
                        },
                      ],
                    },
                  ],
                },
              },
            },
          },
        },
        null,
        1,
      ),
      'caddy.json',
    );
    assert.deepEqual(brief(factOf(sideNamed(json, 'pool', 'srv0/php:9000'), 'pool-idle')), {
      value: 'disabled',
      at: 'caddy.json:15',
    });
  });
});

describe('caddy reader: what it cannot read is unknown, never a default', () => {
  it('an idle or keepalive from an environment placeholder is unknown with the reason', () => {
    const result = read(
      '{\n\tservers {\n\t\ttimeouts {\n\t\t\tidle {$IDLE}\n\t\t}\n\t}\n}\n:80 {\n\treverse_proxy app:1 {\n\t\ttransport http {\n\t\t\tkeepalive {env.KEEPALIVE}\n\t\t}\n\t}\n}\n',
    );
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(sideNamed(result, 'server', ':80'), 'server-keepalive');
    assert.equal(server.value.type, 'unset');
    assert.match(server.notes?.join(' ') ?? '', /\{\$IDLE\}.*not known/);
    const pool = factOf(sideNamed(result, 'pool', 'app:1'), 'pool-idle');
    assert.equal(pool.value.type, 'unset');
    assert.match(pool.notes?.join(' ') ?? '', /\{env\.KEEPALIVE\}/);
  });
});
