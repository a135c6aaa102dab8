import type { DurationSyntax } from '../../duration/syntaxes.js';
import type { Fact, FactSubject, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { durationOrDiagnostic, placeholderIn, placeholderNote } from '../diagnostics.js';
import { type ReaderDiagnostic, type ReaderResult, type ReadSide, tagDiagnostics } from '../types.js';
import type { K8sManifests, K8sObject } from './index.js';

/**
 * The load-balancer side in Kubernetes manifests:
 * - the ingress-nginx controller ConfigMap (`upstream-keepalive-*`, and `keep-alive` for clients);
 * - Ingresses for the AWS Load Balancer Controller
 *   (`alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=N`);
 * - Services for the in-tree Classic ELB (`service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout`);
 * - Istio DestinationRules (`trafficPolicy.connectionPool.http.idleTimeout`, per port and subset too).
 */
const INGRESS_NGINX_KEYS = [
  'upstream-keepalive-timeout',
  'upstream-keepalive-connections',
  'upstream-keepalive-requests',
  'upstream-keepalive-time',
  'keep-alive',
  'keep-alive-requests',
];
const ALB_ATTRIBUTES = 'alb.ingress.kubernetes.io/load-balancer-attributes';
const ALB_OLD_IDLE = 'alb.ingress.kubernetes.io/connection-idle-timeout';
const CLB_IDLE = 'service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout';

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function at(object: K8sObject, path: readonly (string | number)[]): Provenance {
  return { kind: 'file', file: object.file, line: object.lineOf(path) };
}

function qualified(object: K8sObject): string {
  return object.namespace ? `${object.namespace}/${object.name}` : object.name;
}

function parseValue(
  text: string,
  syntax: DurationSyntax,
  object: K8sObject,
  path: readonly (string | number)[],
  field: string,
  diagnostics: ReaderDiagnostic[],
): { ms: number; text: string } | undefined {
  // A Helm/template placeholder or substitution is not a bad value: the caller says unknown (see unknownAt).
  if (placeholderIn(text)) return undefined;
  return durationOrDiagnostic(
    text,
    syntax,
    { file: object.file, line: object.lineOf(path), field },
    diagnostics,
  );
}

/**
 * The fact for a value that could not be read: a placeholder substituted elsewhere (Helm, an env
 * substitution) is unknown with that reason; a bad value is unknown too (its diagnostic says why).
 */
function unknownAt(
  object: K8sObject,
  path: readonly (string | number)[],
  subject: FactSubject,
  product: string,
  setting: string,
  text: string,
): Fact {
  const placeholder = placeholderIn(text);
  return {
    subject,
    value: { type: 'unset' },
    product,
    setting,
    provenance: at(object, path),
    notes: placeholder ? [placeholderNote(setting, text, placeholder)] : [],
  };
}

function isIngressNginxConfigMap(object: K8sObject): boolean {
  if (object.kind !== 'ConfigMap') return false;
  const data = record(object.value.data);
  if (INGRESS_NGINX_KEYS.some((k) => k in data)) return true;
  return /ingress-nginx|nginx-configuration|nginx-ingress/.test(object.name);
}

function ingressNginxSides(object: K8sObject, diagnostics: ReaderDiagnostic[]): ReadSide[] {
  const data = record(object.value.data);
  const name = `configmap/${qualified(object)}`;
  const pool: Fact[] = [];
  const str = (key: string) => (data[key] === undefined ? undefined : String(data[key]));
  const integer = (key: string): number | undefined => {
    const text = str(key);
    if (text === undefined) return undefined;
    if (!/^\s*-?\d+\s*$/.test(text)) {
      diagnostics.push({
        severity: 'error',
        message: `${key} must be a whole number, got ${JSON.stringify(text)}`,
        file: object.file,
        line: object.lineOf(['data', key]),
        field: key,
      });
      return undefined;
    }
    return Number(text);
  };
  const connections = integer('upstream-keepalive-connections');
  if (connections === 0) {
    pool.push({
      subject: 'pool-idle',
      value: { type: 'disabled', text: 'upstream-keepalive-connections: 0' },
      product: 'ingress-nginx',
      setting: 'upstream-keepalive-connections',
      provenance: at(object, ['data', 'upstream-keepalive-connections']),
    });
  } else {
    const timeout = str('upstream-keepalive-timeout');
    if (timeout !== undefined) {
      const value = parseValue(
        timeout,
        'integer-seconds',
        object,
        ['data', 'upstream-keepalive-timeout'],
        'upstream-keepalive-timeout',
        diagnostics,
      );
      pool.push(
        value
          ? {
              subject: 'pool-idle',
              value: { type: 'duration', ms: value.ms, text: `${timeout}s` },
              product: 'ingress-nginx',
              setting: 'upstream-keepalive-timeout',
              unit: 'seconds',
              provenance: at(object, ['data', 'upstream-keepalive-timeout']),
            }
          : unknownAt(
              object,
              ['data', 'upstream-keepalive-timeout'],
              'pool-idle',
              'ingress-nginx',
              'upstream-keepalive-timeout',
              timeout,
            ),
      );
    } else {
      pool.push({
        ...defaultFact('ingress-nginx', 'pool'),
        notes: [`ConfigMap ${qualified(object)} does not set upstream-keepalive-timeout`],
      });
    }
    const requests = integer('upstream-keepalive-requests');
    if (requests !== undefined) {
      pool.push({
        subject: 'max-requests-per-connection',
        value: { type: 'count', count: requests, text: String(requests) },
        product: 'ingress-nginx',
        setting: 'upstream-keepalive-requests',
        provenance: at(object, ['data', 'upstream-keepalive-requests']),
      });
    }
    const time = str('upstream-keepalive-time');
    if (time !== undefined) {
      const value = parseValue(
        time,
        'nginx',
        object,
        ['data', 'upstream-keepalive-time'],
        'upstream-keepalive-time',
        diagnostics,
      );
      if (value) {
        pool.push({
          subject: 'connection-lifetime',
          value: { type: 'duration', ms: value.ms, text: value.text },
          product: 'ingress-nginx',
          setting: 'upstream-keepalive-time',
          provenance: at(object, ['data', 'upstream-keepalive-time']),
        });
      }
    }
  }
  const server: Fact[] = [];
  const keepAlive = str('keep-alive');
  if (keepAlive !== undefined) {
    const value = parseValue(
      keepAlive,
      'integer-seconds',
      object,
      ['data', 'keep-alive'],
      'keep-alive',
      diagnostics,
    );
    if (value) {
      server.push({
        subject: 'server-keepalive',
        value:
          value.ms === 0
            ? { type: 'disabled', text: 'keep-alive: 0' }
            : { type: 'duration', ms: value.ms, text: `${keepAlive}s` },
        product: 'ingress-nginx',
        setting: 'keep-alive',
        unit: 'seconds',
        provenance: at(object, ['data', 'keep-alive']),
      });
    } else {
      server.push(
        unknownAt(
          object,
          ['data', 'keep-alive'],
          'server-keepalive',
          'ingress-nginx',
          'keep-alive',
          keepAlive,
        ),
      );
    }
  } else {
    server.push({
      ...defaultFact('ingress-nginx', 'server'),
      notes: [`ConfigMap ${qualified(object)} does not set keep-alive`],
    });
  }
  const label = `ingress-nginx (ConfigMap ${object.name})`;
  return [
    { role: 'pool', name, label, product: 'ingress-nginx', facts: pool },
    { role: 'server', name, label, product: 'ingress-nginx', facts: server },
  ];
}

/** `idle_timeout.timeout_seconds=600,routing.http2.enabled=true` → map. */
function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function isAlbIngress(object: K8sObject): boolean {
  if (object.kind !== 'Ingress') return false;
  const annotations = record(record(object.value.metadata).annotations);
  const spec = record(object.value.spec);
  return (
    Object.keys(annotations).some((k) => k.startsWith('alb.ingress.kubernetes.io/')) ||
    annotations['kubernetes.io/ingress.class'] === 'alb' ||
    spec.ingressClassName === 'alb'
  );
}

function albIngressSides(object: K8sObject, diagnostics: ReaderDiagnostic[]): ReadSide[] {
  const annotations = record(record(object.value.metadata).annotations);
  const path = ['metadata', 'annotations', ALB_ATTRIBUTES];
  const attributes =
    typeof annotations[ALB_ATTRIBUTES] === 'string'
      ? parseAttributes(annotations[ALB_ATTRIBUTES] as string)
      : new Map();
  const group = annotations['alb.ingress.kubernetes.io/group.name'];
  const notes = group
    ? [`Ingress group ${String(group)}: every Ingress of the group shares one ALB and its attributes`]
    : [];
  if (annotations[ALB_OLD_IDLE] !== undefined) {
    diagnostics.push({
      severity: 'warning',
      message: `${ALB_OLD_IDLE} is not read by the AWS Load Balancer Controller (reported to have no effect); set ${ALB_ATTRIBUTES}: idle_timeout.timeout_seconds=N`,
      file: object.file,
      line: object.lineOf(['metadata', 'annotations', ALB_OLD_IDLE]),
      field: ALB_OLD_IDLE,
    });
  }
  const facts: Fact[] = [];
  const serverFacts: Fact[] = [];
  const idle = attributes.get('idle_timeout.timeout_seconds');
  if (idle !== undefined) {
    const value = parseValue(
      idle,
      'integer-seconds',
      object,
      path,
      'idle_timeout.timeout_seconds',
      diagnostics,
    );
    if (value) {
      const fact = (subject: FactSubject): Fact => ({
        subject,
        value: { type: 'duration', ms: value.ms, text: `${idle}s` },
        product: 'aws-alb',
        setting: 'idle_timeout.timeout_seconds',
        unit: 'seconds',
        provenance: at(object, path),
        notes: [...notes, 'from the Ingress annotation; the live value (alb:NAME) can drift from it'],
      });
      facts.push(fact('pool-idle'));
      serverFacts.push(fact('server-keepalive'));
    } else {
      facts.push(unknownAt(object, path, 'pool-idle', 'aws-alb', 'idle_timeout.timeout_seconds', idle));
      serverFacts.push(
        unknownAt(object, path, 'server-keepalive', 'aws-alb', 'idle_timeout.timeout_seconds', idle),
      );
    }
  } else {
    facts.push({
      ...defaultFact('aws-alb', 'pool'),
      notes: [...notes, `Ingress ${qualified(object)} does not set idle_timeout.timeout_seconds`],
    });
    serverFacts.push({ ...defaultFact('aws-alb', 'server'), notes });
  }
  const clientKeepAlive = attributes.get('client_keep_alive.seconds');
  if (clientKeepAlive !== undefined) {
    const value = parseValue(
      clientKeepAlive,
      'integer-seconds',
      object,
      path,
      'client_keep_alive.seconds',
      diagnostics,
    );
    if (value) {
      serverFacts.push({
        subject: 'connection-lifetime',
        value: { type: 'duration', ms: value.ms, text: `${clientKeepAlive}s` },
        product: 'aws-alb',
        setting: 'client_keep_alive.seconds',
        provenance: at(object, path),
      });
    }
  }
  const name = `ingress/${qualified(object)}`;
  const label = `ALB (Ingress ${object.name})`;
  return [
    { role: 'pool', name, label, product: 'aws-alb', facts },
    { role: 'server', name, label, product: 'aws-alb', facts: serverFacts },
  ];
}

function clbServiceSides(object: K8sObject, diagnostics: ReaderDiagnostic[]): ReadSide[] {
  const annotations = record(record(object.value.metadata).annotations);
  const path = ['metadata', 'annotations', CLB_IDLE];
  const value = parseValue(
    String(annotations[CLB_IDLE]),
    'integer-seconds',
    object,
    path,
    CLB_IDLE,
    diagnostics,
  );
  const text = String(annotations[CLB_IDLE]);
  const type = String(annotations['service.beta.kubernetes.io/aws-load-balancer-type'] ?? '');
  if (/^(nlb|nlb-ip|external)$/.test(type)) {
    // The annotation is a Classic ELB setting; an NLB ignores it and passes TCP flows through.
    return [
      {
        role: 'pool',
        name: `service/${qualified(object)}`,
        label: `NLB (Service ${object.name})`,
        product: 'aws-nlb',
        facts: [
          {
            subject: 'pool-idle',
            value: { type: 'disabled', text: `aws-load-balancer-type: ${type}` },
            product: 'aws-nlb',
            setting: 'service.beta.kubernetes.io/aws-load-balancer-type',
            provenance: at(object, [
              'metadata',
              'annotations',
              'service.beta.kubernetes.io/aws-load-balancer-type',
            ]),
            notes: [
              `an NLB forwards TCP flows and pools no HTTP connection; ${CLB_IDLE} applies to Classic ELBs only and is ignored here (the NLB's own TCP idle timeout, 350 s by default, is a listener attribute)`,
            ],
          },
        ],
      },
    ];
  }
  return [
    {
      role: 'pool',
      name: `service/${qualified(object)}`,
      label: `Classic ELB (Service ${object.name})`,
      product: 'aws-clb',
      facts: [
        !value
          ? unknownAt(object, path, 'pool-idle', 'aws-clb', CLB_IDLE, text)
          : {
              subject: 'pool-idle',
              value: { type: 'duration', ms: value.ms, text: `${String(annotations[CLB_IDLE])}s` },
              product: 'aws-clb',
              setting: CLB_IDLE,
              unit: 'seconds',
              provenance: at(object, path),
            },
      ],
    },
  ];
}

function destinationRuleSides(object: K8sObject, diagnostics: ReaderDiagnostic[]): ReadSide[] {
  const spec = record(object.value.spec);
  const host = String(spec.host ?? '');
  const sides: ReadSide[] = [];
  const policyFacts = (
    policy: Record<string, unknown>,
    path: (string | number)[],
    inherited: Fact[] | undefined,
  ): Fact[] => {
    const http = record(record(policy.connectionPool).http);
    const facts: Fact[] = [];
    if (http.idleTimeout !== undefined) {
      const fieldPath = [...path, 'connectionPool', 'http', 'idleTimeout'];
      const value = parseValue(String(http.idleTimeout), 'go', object, fieldPath, 'idleTimeout', diagnostics);
      if (value) {
        facts.push({
          subject: 'pool-idle',
          value: { type: 'duration', ms: value.ms, text: value.text },
          product: 'istio',
          setting: 'trafficPolicy.connectionPool.http.idleTimeout',
          unit: 'duration',
          provenance: at(object, fieldPath),
        });
      }
    }
    if (http.maxRequestsPerConnection !== undefined) {
      const count = Number(http.maxRequestsPerConnection);
      if (Number.isInteger(count) && count > 0) {
        facts.push({
          subject: 'max-requests-per-connection',
          value: { type: 'count', count, text: String(count) },
          product: 'istio',
          setting: 'trafficPolicy.connectionPool.http.maxRequestsPerConnection',
          provenance: at(object, [...path, 'connectionPool', 'http', 'maxRequestsPerConnection']),
        });
      }
    }
    // What this level does not set comes from the level above (DestinationRule merge rules).
    for (const fact of inherited ?? []) if (!facts.some((f) => f.subject === fact.subject)) facts.push(fact);
    return facts;
  };
  const top = policyFacts(record(spec.trafficPolicy), ['spec', 'trafficPolicy'], undefined);
  const withDefault = (facts: Fact[]): Fact[] =>
    facts.some((f) => f.subject === 'pool-idle')
      ? facts
      : [
          {
            ...defaultFact('istio', 'pool'),
            notes: [
              `DestinationRule ${qualified(object)} does not set connectionPool.http.idleTimeout (Envoy's 1 h default applies)`,
            ],
          },
          ...facts,
        ];
  const base = `destinationrule/${qualified(object)}`;
  sides.push({
    role: 'pool',
    name: base,
    label: `Istio DestinationRule ${object.name} (${host})`,
    product: 'istio',
    facts: withDefault(top),
    targets: [host],
  });
  const ports = record(spec.trafficPolicy).portLevelSettings;
  if (Array.isArray(ports)) {
    ports.forEach((p, i) => {
      const port = record(record(p).port).number;
      const facts = policyFacts(record(p), ['spec', 'trafficPolicy', 'portLevelSettings', i], top);
      sides.push({
        role: 'pool',
        name: `${base}:${String(port)}`,
        label: `Istio DestinationRule ${object.name} (${host}:${String(port)})`,
        product: 'istio',
        facts: withDefault(facts),
        targets: [`${host}:${String(port)}`],
      });
    });
  }
  const subsets = spec.subsets;
  if (Array.isArray(subsets)) {
    subsets.forEach((s, i) => {
      const subset = record(s);
      if (!subset.trafficPolicy) return;
      const facts = policyFacts(record(subset.trafficPolicy), ['spec', 'subsets', i, 'trafficPolicy'], top);
      sides.push({
        role: 'pool',
        name: `${base}/${String(subset.name)}`,
        label: `Istio DestinationRule ${object.name} subset ${String(subset.name)}`,
        product: 'istio',
        facts: withDefault(facts),
        targets: [host],
      });
    });
  }
  return sides;
}

/** Load-balancer sides in Kubernetes manifests. */
export function readK8sLoadBalancers(manifests: K8sManifests): ReaderResult {
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  for (const object of manifests.objects) {
    const from = diagnostics.length;
    const before = sides.length;
    readObject(object);
    // An object's problems concern its own sides (pool and server share the name).
    const names = new Set(sides.slice(before).map((s) => s.name));
    if (names.size === 1) tagDiagnostics(diagnostics, from, [...names][0]!);
  }
  return { sides, diagnostics };

  function readObject(object: K8sManifests['objects'][number]): void {
    if (isIngressNginxConfigMap(object)) sides.push(...ingressNginxSides(object, diagnostics));
    else if (isAlbIngress(object)) sides.push(...albIngressSides(object, diagnostics));
    else if (
      object.kind === 'Service' &&
      record(record(object.value.metadata).annotations)[CLB_IDLE] !== undefined
    ) {
      sides.push(...clbServiceSides(object, diagnostics));
    } else if (object.kind === 'DestinationRule' && /istio\.io/.test(object.apiVersion)) {
      sides.push(...destinationRuleSides(object, diagnostics));
    }
  }
}
