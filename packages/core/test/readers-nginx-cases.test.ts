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
