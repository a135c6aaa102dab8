import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envoyReader } from '../src/readers/envoy/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

const read = (text: string) => envoyReader.read({ text, file: 'e.yaml' });

describe('envoy reader: the shapes real tools write', () => {
  it('a bare list of clusters in camelCase (as Envoy Gateway emits): idleTimeout read, with its line', () => {
    const result = read(
      [
        '- name: svc',
        '  connectTimeout: 1s',
        '  typedExtensionProtocolOptions:',
        '    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:',
        "      '@type': type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        '      commonHttpProtocolOptions:',
        '        idleTimeout: 32s',
        '        maxRequestsPerConnection: 100',
        '- name: plain',
        '  type: STRICT_DNS',
        '  lbPolicy: ROUND_ROBIN',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const svc = sideNamed(result, 'pool', 'svc');
    assert.deepEqual(brief(factOf(svc, 'pool-idle')), { value: 32_000, at: 'e.yaml:7' });
    assert.deepEqual(brief(factOf(svc, 'max-requests-per-connection')), { value: 100, at: 'e.yaml:8' });
    assert.equal(factOf(sideNamed(result, 'pool', 'plain'), 'pool-idle').isDefault, true);
  });

  it('a bare list of listeners: the HTTP connection manager idleTimeout; a tcp_proxy listener has none', () => {
    const result = read(
      JSON.stringify([
        {
          name: 'http',
          address: { socketAddress: { address: '::', portValue: 10080 } },
          defaultFilterChain: {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typedConfig: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  commonHttpProtocolOptions: { idleTimeout: '10s' },
                },
              },
            ],
          },
        },
        {
          name: 'tcp',
          filterChains: [
            { filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { cluster: 'db' } }] },
          ],
        },
      ]),
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.sides.map((s) => `${s.role} ${s.name}`),
      ['server http'],
    );
    assert.equal(brief(factOf(sideNamed(result, 'server', 'http'), 'server-keepalive')).value, 10_000);
    assert.deepEqual(sideNamed(result, 'server', 'http').targets, [':::10080']);
  });

  it('a cluster only a tcp_proxy uses is not an HTTP pool; one a route also uses still is', () => {
    const result = read(
      [
        'static_resources:',
        '  listeners:',
        '  - name: tcp',
        '    filter_chains:',
        '    - filters:',
        '      - name: envoy.filters.network.tcp_proxy',
        '        typed_config: { cluster: db, stat_prefix: db }',
        '      - name: envoy.filters.network.tcp_proxy',
        '        typed_config: { cluster: both, stat_prefix: b }',
        '  - name: web',
        '    filter_chains:',
        '    - filters:',
        '      - name: envoy.filters.network.http_connection_manager',
        '        typed_config:',
        '          route_config:',
        '            virtual_hosts:',
        '            - name: v',
        '              routes: [{ match: { prefix: / }, route: { cluster: both } }]',
        '  clusters:',
        '  - name: db',
        '    connect_timeout: 1s',
        '  - name: both',
        '    connect_timeout: 1s',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'db'), 'pool-idle')), {
      value: 'disabled',
      at: 'e.yaml:20',
    });
    assert.equal(factOf(sideNamed(result, 'pool', 'both'), 'pool-idle').isDefault, true);
  });
});

describe('envoy reader: what it cannot read is unknown, never a default', () => {
  it('an idle_timeout from an environment substitution or a template is unknown with the reason', () => {
    const result = read(
      [
        'static_resources:',
        '  listeners:',
        '  - name: web',
        '    filter_chains:',
        '    - filters:',
        '      - name: envoy.filters.network.http_connection_manager',
        '        typed_config:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration syntax under test
        '          common_http_protocol_options: { idle_timeout: "${DOWNSTREAM_IDLE}" }',
        '  clusters:',
        '  - name: app',
        '    connect_timeout: 1s',
        '    common_http_protocol_options: { idle_timeout: "{{ .Values.idle }}" }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(sideNamed(result, 'server', 'web'), 'server-keepalive');
    assert.equal(server.value.type, 'unset');
    assert.match(server.notes?.join(' ') ?? '', /\$\{DOWNSTREAM_IDLE\}.*not known/);
    const pool = factOf(sideNamed(result, 'pool', 'app'), 'pool-idle');
    assert.equal(pool.value.type, 'unset');
    assert.match(pool.notes?.join(' ') ?? '', /\{\{ \.Values\.idle \}\}/);
  });
});
