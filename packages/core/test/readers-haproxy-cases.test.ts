import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haproxyReader } from '../src/readers/haproxy/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

const read = (text: string) => haproxyReader.read({ text, file: 'h.cfg' });

describe('haproxy reader: connection modes as HAProxy applies them', () => {
  it('the last of httpclose / http-server-close / http-keep-alive wins, defaults first', () => {
    const result = read(
      [
        'defaults',
        '  mode http',
        '  timeout client 10s',
        '  option httpclose',
        'listen closes',
        '  bind :1',
        '  server s 127.0.0.1:2',
        'listen server-close',
        '  option http-server-close',
        '  bind :3',
        '  server s 127.0.0.1:4',
        'listen both',
        '  option httpclose',
        '  option http-server-close',
        '  bind :5',
        '  server s 127.0.0.1:6',
        'listen back-to-keep-alive',
        '  option http-keep-alive',
        '  bind :7',
        '  server s 127.0.0.1:8',
        'listen negated',
        '  no option httpclose',
        '  bind :9',
        '  server s 127.0.0.1:10',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const pool = (name: string) => brief(factOf(sideNamed(result, 'pool', name), 'pool-idle'));
    const server = (name: string) => brief(factOf(sideNamed(result, 'server', name), 'server-keepalive'));
    assert.deepEqual(pool('closes'), { value: 'disabled', at: 'h.cfg:4' });
    assert.deepEqual(server('closes'), { value: 'disabled', at: 'h.cfg:4' });
    // http-server-close after httpclose replaces it: the client side keeps its keep-alive.
    assert.deepEqual(pool('both'), { value: 'disabled', at: 'h.cfg:14' });
    assert.deepEqual(server('both'), { value: 10_000, at: 'h.cfg:3' });
    assert.deepEqual(server('server-close'), { value: 10_000, at: 'h.cfg:3' });
    assert.deepEqual(pool('back-to-keep-alive'), { value: 'unbounded', at: 'h.cfg:17' });
    assert.deepEqual(pool('negated'), { value: 'unbounded', at: 'h.cfg:21' });
  });

  it('a backend reached only through a server-close frontend does not pool; mode tcp pools nothing', () => {
    const result = read(
      [
        'defaults',
        '  timeout client 30s',
        'frontend fe',
        '  mode http',
        '  option http-server-close',
        '  bind :80',
        '  default_backend be',
        'backend be',
        '  mode http',
        '  server s 127.0.0.1:8000',
        'listen raw',
        '  bind :25',
        '  server s 127.0.0.1:2525',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'be'), 'pool-idle')), {
      value: 'disabled',
      at: 'h.cfg:5',
    });
    // `listen raw` has no `mode http`: HAProxy's default is tcp.
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'raw'), 'pool-idle')), {
      value: 'disabled',
      at: 'h.cfg:11',
    });
    assert.equal(
      result.sides.find((s) => s.role === 'server' && s.name === 'raw'),
      undefined,
    );
  });
});

describe('haproxy reader: what it cannot read is unknown, never a default', () => {
  it('a timeout from an environment variable is unknown with the reason; a template line is a warning', () => {
    const result = read(
      [
        'defaults',
        '  mode http',
        '  timeout client 30s',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration syntax under test
        '  timeout http-keep-alive "${KEEPALIVE}"',
        'frontend fe',
        '  bind :80',
        '  default_backend be',
        'backend be',
        '  {{ range .Servers }}server {{ .Name }} {{ .Addr }}{{ end }}',
        '',
      ].join('\n'),
    );
    const fact = factOf(sideNamed(result, 'server', 'fe'), 'server-keepalive');
    assert.equal(fact.value.type, 'unset');
    assert.match(fact.notes?.join(' ') ?? '', /\$\{KEEPALIVE\}.*environment variable/);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.line]),
      [['warning', 9]],
    );
    assert.match(result.diagnostics[0]!.message, /template placeholder/);
  });

  it('a mode or timeout inside an .if block depends on a startup condition: unknown, naming it', () => {
    const result = read(
      [
        'defaults',
        '  mode http',
        '  timeout client 30s',
        '.if defined(CLOSE_MODE)',
        '  option httpclose',
        '.endif',
        'frontend fe',
        '  bind :80',
        '  default_backend be',
        'backend be',
        '  server s 127.0.0.1:1',
        'listen plain',
        '  option http-keep-alive',
        '  bind :81',
        '.if feature(QUIC)',
        '  timeout http-keep-alive 5s',
        '.else',
        '  timeout http-keep-alive 9s',
        '.endif',
        '  server s 127.0.0.1:2',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(sideNamed(result, 'server', 'fe'), 'server-keepalive');
    assert.deepEqual(brief(server), { value: 'unset', at: 'h.cfg:5' });
    assert.match(server.notes?.join(' ') ?? '', /\.if defined\(CLOSE_MODE\)/);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'be'), 'pool-idle')), {
      value: 'unset',
      at: 'h.cfg:5',
    });
    const plain = factOf(sideNamed(result, 'server', 'plain'), 'server-keepalive');
    assert.deepEqual(brief(plain), { value: 'unset', at: 'h.cfg:18' });
    assert.match(plain.notes?.join(' ') ?? '', /\.else/);
    // `option http-keep-alive` outside any condition: the pool is read as usual.
    assert.equal(factOf(sideNamed(result, 'pool', 'plain'), 'pool-idle').value.type, 'unbounded');
  });
});
