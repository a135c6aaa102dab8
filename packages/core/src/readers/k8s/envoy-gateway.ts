import type { Fact } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { durationOrDiagnostic, placeholderFact } from '../diagnostics.js';
import type { ReaderDiagnostic, ReaderResult, ReadSide } from '../types.js';
import type { K8sManifests, K8sObject } from './index.js';

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * Envoy Gateway's BackendTrafficPolicy (`gateway.envoyproxy.io`): `spec.timeout.http.connectionIdleTimeout`
 * becomes the idle_timeout of the Envoy clusters of the Gateway or route it targets, and
 * `maxConnectionDuration` their max_connection_duration (Envoy Gateway API reference, BackendTrafficPolicy
 * > timeout > http). Unset: Envoy's own default (1 h).
 */
export function readK8sEnvoyGateway(manifests: K8sManifests): ReaderResult {
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  for (const object of manifests.objects) {
    if (object.kind !== 'BackendTrafficPolicy' || !/^gateway\.envoyproxy\.io\//.test(object.apiVersion))
      continue;
    sides.push(policySide(object, diagnostics));
  }
  return { sides, diagnostics };
}

function policySide(object: K8sObject, diagnostics: ReaderDiagnostic[]): ReadSide {
  const spec = record(object.value.spec);
  const http = record(record(spec.timeout).http);
  const base = ['spec', 'timeout', 'http'];
  const facts: Fact[] = [];
  const qualified = `${object.namespace ?? 'default'}/${object.name}`;
  const read = (key: string, subject: 'pool-idle' | 'connection-lifetime'): void => {
    const raw = http[key];
    const where = { file: object.file, line: object.lineOf([...base, key]), field: `timeout.http.${key}` };
    const provenance = { kind: 'file' as const, file: object.file, line: where.line };
    if (raw === undefined) {
      if (subject === 'pool-idle')
        facts.push({
          ...defaultFact('envoy', 'pool'),
          notes: [`BackendTrafficPolicy ${qualified} does not set timeout.http.connectionIdleTimeout`],
        });
      return;
    }
    const text = String(raw);
    const unknown = placeholderFact(subject, 'envoy', `timeout.http.${key}`, provenance, text);
    if (unknown) {
      facts.push(unknown);
      return;
    }
    const d = durationOrDiagnostic(text, 'go', where, diagnostics);
    if (!d) {
      facts.push({
        subject,
        value: { type: 'unset' },
        product: 'envoy',
        setting: `timeout.http.${key}`,
        provenance,
      });
      return;
    }
    if (d.ms === 0 && subject === 'connection-lifetime') return;
    facts.push({
      subject,
      value:
        d.ms === 0
          ? { type: 'unbounded', text: `${text} (disabled)` }
          : { type: 'duration', ms: d.ms, text: d.text },
      product: 'envoy',
      setting: `BackendTrafficPolicy timeout.http.${key}`,
      unit: 'Go duration',
      provenance,
    });
  };
  read('connectionIdleTimeout', 'pool-idle');
  read('maxConnectionDuration', 'connection-lifetime');
  const target = record(spec.targetRef);
  const targets = [
    ...(target.name ? [`${String(target.kind ?? '')}/${String(target.name)}`] : []),
    ...(Array.isArray(spec.targetRefs)
      ? spec.targetRefs.map((t) => `${String(record(t).kind ?? '')}/${String(record(t).name ?? '')}`)
      : []),
  ];
  return {
    role: 'pool',
    name: `BackendTrafficPolicy/${qualified}`,
    label: `Envoy Gateway BackendTrafficPolicy ${qualified}${targets.length ? ` (${targets.join(', ')})` : ''}`,
    product: 'envoy',
    facts,
    targets,
  };
}
