import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeReader } from '../src/readers/compose/index.js';
import { ecsReader } from '../src/readers/ecs/index.js';
import { k8sReader } from '../src/readers/k8s/index.js';
import { traefikReader } from '../src/readers/traefik/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

const CRDS = (group: string) =>
  [
    `apiVersion: ${group}`,
    'kind: ServersTransport',
    'metadata:',
    '  name: slow',
    '  namespace: apps',
    'spec:',
    '  forwardingTimeouts:',
    '    idleConnTimeout: 42s',
    '---',
    `apiVersion: ${group}`,
    'kind: IngressRoute',
    'metadata:',
    '  name: web',
    '  namespace: apps',
    'spec:',
    '  routes:',
    '  - match: PathPrefix(`/`)',
    '    services:',
    '    - name: api',
    '      port: 8000',
    '      serversTransport: slow',
    '    - name: other',
    '      port: 80',
    '      serversTransport: missing',
    '',
  ].join('\n');

describe('traefik reader: settings real configurations use', () => {
  it('entry point keepAliveMaxRequests and keepAliveMaxTime', () => {
    const result = traefikReader.read({
      file: 'traefik.yml',
      text: 'entryPoints:\n  web:\n    address: ":80"\n    transport:\n      keepAliveMaxRequests: 100\n      keepAliveMaxTime: 5m\n      respondingTimeouts:\n        idleTimeout: 60s\n',
    });
    assert.deepEqual(result.diagnostics, []);
    const web = sideNamed(result, 'server', 'web');
    assert.deepEqual(brief(factOf(web, 'max-requests-per-connection')), { value: 100, at: 'traefik.yml:5' });
    assert.deepEqual(brief(factOf(web, 'connection-lifetime')), { value: 300_000, at: 'traefik.yml:6' });
    assert.deepEqual(brief(factOf(web, 'server-keepalive')), { value: 60_000, at: 'traefik.yml:8' });
  });

  for (const group of ['traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1']) {
    it(`ServersTransport and IngressRoute custom resources (${group}), by traefik: and by k8s:`, () => {
      for (const reader of [traefikReader, k8sReader]) {
        const result = reader.read({ file: 'crd.yaml', text: CRDS(group) });
        assert.deepEqual(result.diagnostics, [], reader.id);
        assert.deepEqual(
          brief(factOf(sideNamed(result, 'pool', 'ServersTransport/apps/slow'), 'pool-idle')),
          { value: 42_000, at: 'crd.yaml:8' },
          reader.id,
        );
        const api = sideNamed(result, 'pool', 'IngressRoute/apps/web/api');
        assert.deepEqual(brief(factOf(api, 'pool-idle')), { value: 42_000, at: 'crd.yaml:8' });
        assert.deepEqual(api.targets, ['api:8000']);
        const other = factOf(sideNamed(result, 'pool', 'IngressRoute/apps/web/other'), 'pool-idle');
        assert.equal(other.value.type, 'unset');
        assert.match(other.notes?.join(' ') ?? '', /apps\/missing is not in these manifests/);
      }
    });
  }
});

describe('traefik configured by command-line flags or environment variables', () => {
  it('a compose service: flags and TRAEFIK_ env give the entry points and the default transport', () => {
    const result = composeReader.read({
      file: 'docker-compose.yml',
      text: [
        'services:',
        '  proxy:',
        '    image: traefik:v3.1',
        '    command:',
        '      - --entryPoints.web.address=:80',
        '      - --serversTransport.forwardingTimeouts.idleConnTimeout=30s',
        '      - --entrypoints.web.transport.keepAliveMaxRequests=50',
        '    environment:',
        '      TRAEFIK_ENTRYPOINTS_WEB_TRANSPORT_RESPONDINGTIMEOUTS_IDLETIMEOUT: 75s',
        '',
      ].join('\n'),
    });
    const pool = factOf(sideNamed(result, 'pool', 'proxy/serversTransport'), 'pool-idle');
    assert.deepEqual(brief(pool), { value: 30_000, at: 'docker-compose.yml:5' });
    const web = sideNamed(result, 'server', 'proxy/web');
    assert.deepEqual(brief(factOf(web, 'server-keepalive')), { value: 75_000, at: 'docker-compose.yml:9' });
    assert.equal(factOf(web, 'max-requests-per-connection').value.type, 'count');
    assert.deepEqual(web.targets, [':80']);
  });

  it('an ECS task definition: a Traefik container without transport flags gets the default pool (90 s)', () => {
    const result = ecsReader.read({
      file: 'task.json',
      text: JSON.stringify({
        family: 'edge',
        containerDefinitions: [
          { name: 'traefik', image: 'traefik:2.11', command: ['--entrypoints.web.address=:8080'] },
        ],
      }),
    });
    const pool = factOf(sideNamed(result, 'pool', 'edge/traefik/serversTransport'), 'pool-idle');
    assert.equal(pool.isDefault, true);
    assert.equal(pool.value.type === 'duration' && pool.value.ms, 90_000);
    assert.equal(factOf(sideNamed(result, 'server', 'edge/traefik/web'), 'server-keepalive').isDefault, true);
  });
});

describe('traefik reader: what it cannot read is unknown, never a default', () => {
  it('a template or an environment substitution is unknown with the reason, not an error', () => {
    const result = traefikReader.read({
      file: 'traefik.yml',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration syntax under test
      text: 'serversTransport:\n  forwardingTimeouts:\n    idleConnTimeout: "{{ .IdleConnTimeout }}"\nentryPoints:\n  web:\n    address: ":80"\n    transport:\n      respondingTimeouts:\n        idleTimeout: ${IDLE}\n',
    });
    assert.deepEqual(result.diagnostics, []);
    const pool = factOf(sideNamed(result, 'pool', 'serversTransport'), 'pool-idle');
    assert.equal(pool.value.type, 'unset');
    assert.match(pool.notes?.join(' ') ?? '', /\{\{ \.IdleConnTimeout \}\}.*not known/);
    const web = factOf(sideNamed(result, 'server', 'web'), 'server-keepalive');
    assert.equal(web.value.type, 'unset');
    const compose = composeReader.read({
      file: 'docker-compose.yml',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration syntax under test
      text: 'services:\n  proxy:\n    image: traefik:v3\n    command: --serversTransport.forwardingTimeouts.idleConnTimeout=${IDLE:-30s}\n',
    });
    assert.equal(
      factOf(sideNamed(compose, 'pool', 'proxy/serversTransport'), 'pool-idle').value.type,
      'unset',
    );
  });

  it("idleTimeout 0 is not 'no limit': Go's server falls back to readTimeout (unknown when that is unset)", () => {
    const result = traefikReader.read({
      file: 'traefik.yml',
      text: 'entryPoints:\n  a:\n    transport:\n      respondingTimeouts:\n        idleTimeout: 0\n        readTimeout: 30s\n  b:\n    transport:\n      respondingTimeouts:\n        idleTimeout: 0\n',
    });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(brief(factOf(sideNamed(result, 'server', 'a'), 'server-keepalive')), {
      value: 30_000,
      at: 'traefik.yml:6',
    });
    const b = factOf(sideNamed(result, 'server', 'b'), 'server-keepalive');
    assert.equal(b.value.type, 'unset');
    assert.match(b.notes?.join(' ') ?? '', /60s since Traefik v2\.11\.2/);
  });
});
