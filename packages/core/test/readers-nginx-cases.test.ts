import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nginxReader } from '../src/readers/nginx/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

describe('nginx reader: OpenResty Lua blocks', () => {
  it('skips *_by_lua_block bodies as opaque (braces, strings, comments in Lua) and reads the rest', () => {
    const text = [
      'http {',
      '  keepalive_timeout 30s;',
      '  upstream app { server 127.0.0.1:8000; keepalive 8; keepalive_timeout 20s; }',
      '  server {',
      '    listen 8080;',
      '    set_by_lua_block $sum { -- a comment with } and {',
      '      local t = { 1, 2, "}" }',
      "      return '{' .. [[ } ]]",
      '    }',
      '    "rewrite_by_lua_block" { ngx.say("}") }',
      '    location / {',
      '      access_by_lua_block { if x then y({a=1}) end }',
      '      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const result = nginxReader.read({ text, file: 'lua.conf', version: '1.22.1' });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'app'), 'pool-idle')), {
      value: 20_000,
      at: 'lua.conf:3',
    });
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'listen 8080'), 'server-keepalive')), {
      value: 30_000,
      at: 'lua.conf:2',
    });
  });

  it('a Lua block that never closes is an error at its line, not a silent pass', () => {
    const result = nginxReader.read({
      text: 'http {\n  server {\n    content_by_lua_block {\n      ngx.say("x")\n',
      file: 'open.conf',
    });
    const first = result.diagnostics[0];
    assert.deepEqual(
      [first?.line, first?.severity, first?.message],
      [3, 'error', 'Lua block is not closed by "}"'],
    );
  });
});

describe('nginx reader: what it cannot read is unknown, never a default', () => {
  it('a keepalive_timeout that a missing include may set is unknown, naming the include', () => {
    const result = nginxReader.read({
      file: 'x/nginx.conf',
      version: '1.22.1',
      text: 'http {\n  include conf.d/timeouts.conf;\n  upstream app {\n    server 127.0.0.1:1;\n    keepalive 4;\n    include upstream-extra.conf;\n  }\n  server {\n    listen 80;\n    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n',
    });
    const server = factOf(sideNamed(result, 'server', 'listen 80'), 'server-keepalive');
    assert.deepEqual(brief(server), { value: 'unset', at: 'x/nginx.conf:2' });
    assert.match(server.notes?.join(' ') ?? '', /include conf\.d\/timeouts\.conf .* could not be read/);
    const pool = factOf(sideNamed(result, 'pool', 'app'), 'pool-idle');
    assert.deepEqual(brief(pool), { value: 'unset', at: 'x/nginx.conf:6' });
    assert.equal(result.diagnostics.filter((d) => d.severity === 'error').length, 2);
  });

  it('an envsubst template value ($NGINX_KEEPALIVE) is unknown with the reason, not a bad value', () => {
    const result = nginxReader.read({
      file: 'default.conf.template',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: nginx template syntax under test
      text: 'server {\n  listen 80;\n  keepalive_timeout ${NGINX_KEEPALIVE};\n}\n',
    });
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(sideNamed(result, 'server', 'listen 80'), 'server-keepalive');
    assert.equal(server.value.type, 'unset');
    assert.match(server.notes?.join(' ') ?? '', /NGINX_KEEPALIVE.*not known/);
  });

  it('a conf.d fragment (no http {} block) without keepalive_timeout: unknown, the including http {} decides', () => {
    const result = nginxReader.read({ file: 'conf.d/default.conf', text: 'server {\n  listen 80;\n}\n' });
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(sideNamed(result, 'server', 'listen 80'), 'server-keepalive');
    assert.deepEqual(brief(server), { value: 'unset', at: 'conf.d/default.conf:1' });
    assert.match(server.notes?.join(' ') ?? '', /no http \{\} block/);
  });
});
