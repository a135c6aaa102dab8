import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { k8sReader } from '../src/readers/k8s/index.js';
import { brief, factOf, sideNamed } from './readers-helpers.js';

const read = (text: string) => k8sReader.read({ text, file: 'm.yaml' });

describe('k8s reader, load-balancer side: what it cannot read is unknown, never a default', () => {
  it('a templated ingress-nginx keep-alive or ALB idle timeout is unknown with the reason', () => {
    const result = read(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: ingress-nginx-controller }',
        'data:',
        '  keep-alive: "{{ .Values.keepAlive }}"',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration syntax under test
        '  upstream-keepalive-timeout: "${UPSTREAM_IDLE}"',
        '---',
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata:',
        '  name: web',
        '  annotations:',
        '    kubernetes.io/ingress.class: alb',
        '    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds={{ .Values.idle }}',
        'spec: {}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const server = factOf(
      sideNamed(result, 'server', 'configmap/ingress-nginx-controller'),
      'server-keepalive',
    );
    assert.equal(server.value.type, 'unset');
    assert.match(server.notes?.join(' ') ?? '', /\{\{ \.Values\.keepAlive \}\}.*not known/);
    const pool = factOf(sideNamed(result, 'pool', 'configmap/ingress-nginx-controller'), 'pool-idle');
    assert.equal(pool.value.type, 'unset');
    assert.match(pool.notes?.join(' ') ?? '', /UPSTREAM_IDLE/);
    assert.equal(factOf(sideNamed(result, 'pool', 'ingress/web'), 'pool-idle').value.type, 'unset');
  });

  it('a Helm chart template that is not YAML yet is one error naming the template, not one per token', () => {
    const result = read(
      '{{- if .Values.enabled }}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n  labels:\n    release: {{ .Release.Name }}\n{{- end }}\n',
    );
    assert.equal(result.diagnostics.length, 1);
    assert.deepEqual([result.diagnostics[0]!.severity, result.diagnostics[0]!.line], ['error', 1]);
    assert.match(result.diagnostics[0]!.message, /helm template/);
  });
});

describe('k8s reader, load-balancer side: more of what real manifests use', () => {
  it('an NLB Service ignores the Classic ELB idle annotation and pools nothing', () => {
    const result = read(
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: edge',
        '  annotations:',
        '    service.beta.kubernetes.io/aws-load-balancer-type: nlb',
        '    service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout: "60"',
        'spec: { type: LoadBalancer }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(brief(factOf(sideNamed(result, 'pool', 'service/edge'), 'pool-idle')), {
      value: 'disabled',
      at: 'm.yaml:6',
    });
  });

  it("Envoy Gateway's BackendTrafficPolicy: connectionIdleTimeout, maxConnectionDuration, else Envoy's 1 h", () => {
    const result = read(
      [
        'apiVersion: gateway.envoyproxy.io/v1alpha1',
        'kind: BackendTrafficPolicy',
        'metadata: { name: p, namespace: apps }',
        'spec:',
        '  targetRef: { group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }',
        '  timeout:',
        '    http:',
        '      connectionIdleTimeout: 16s',
        '      maxConnectionDuration: 17s',
        '---',
        'apiVersion: gateway.envoyproxy.io/v1alpha1',
        'kind: BackendTrafficPolicy',
        'metadata: { name: plain, namespace: apps }',
        'spec: {}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(result.diagnostics, []);
    const p = sideNamed(result, 'pool', 'BackendTrafficPolicy/apps/p');
    assert.deepEqual(brief(factOf(p, 'pool-idle')), { value: 16_000, at: 'm.yaml:8' });
    assert.deepEqual(brief(factOf(p, 'connection-lifetime')), { value: 17_000, at: 'm.yaml:9' });
    assert.deepEqual(p.targets, ['HTTPRoute/api']);
    const plain = factOf(sideNamed(result, 'pool', 'BackendTrafficPolicy/apps/plain'), 'pool-idle');
    assert.equal(plain.isDefault, true);
    assert.equal(plain.value.type === 'duration' && plain.value.ms, 3_600_000);
  });
});
