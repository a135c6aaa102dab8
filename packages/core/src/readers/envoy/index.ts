import { parseProtobufDurationValue } from '../../duration/syntaxes.js';
import type { Fact, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { orDiagnostic, placeholderFact, placeholderIn } from '../diagnostics.js';
import {
  type ConfigReader,
  type ReaderDiagnostic,
  type ReaderInput,
  type ReaderResult,
  type ReadSide,
  tagDiagnostics,
} from '../types.js';
import { asArray, asRecord, type LinedDocument, parseLined, snakeKeys } from './yaml.js';

type Path = (string | number)[];

interface Located {
  readonly value: Record<string, unknown>;
  readonly path: Path;
  readonly doc: LinedDocument;
}

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Everything of interest in a bootstrap or a `/config_dump`, with paths back to the text. */
interface EnvoyConfig {
  clusters: Located[];
  listeners: Located[];
  routeConfigs: Located[];
}

function typeOf(value: Record<string, unknown>): string {
  return String(value['@type'] ?? '');
}

function collectBootstrap(
  doc: LinedDocument,
  bootstrap: Record<string, unknown>,
  prefix: Path,
  into: EnvoyConfig,
) {
  const resources = asRecord(bootstrap.static_resources);
  asArray(resources.clusters).forEach((c, i) => {
    into.clusters.push({ value: asRecord(c), path: [...prefix, 'static_resources', 'clusters', i], doc });
  });
  asArray(resources.listeners).forEach((l, i) => {
    into.listeners.push({ value: asRecord(l), path: [...prefix, 'static_resources', 'listeners', i], doc });
  });
}

/** What one bare resource is: `@type` when it says so, else the fields only that kind has. */
function resourceKind(value: Record<string, unknown>): 'cluster' | 'listener' | 'route' | undefined {
  const type = typeOf(value);
  if (type.endsWith('config.cluster.v3.Cluster') || type.endsWith('api.v2.Cluster')) return 'cluster';
  if (type.endsWith('config.listener.v3.Listener') || type.endsWith('api.v2.Listener')) return 'listener';
  if (type.endsWith('RouteConfiguration')) return 'route';
  if (value.filter_chains !== undefined || value.default_filter_chain !== undefined) return 'listener';
  if (value.virtual_hosts !== undefined) return 'route';
  if (
    value.connect_timeout !== undefined ||
    value.load_assignment !== undefined ||
    value.eds_cluster_config !== undefined ||
    value.typed_extension_protocol_options !== undefined ||
    value.lb_policy !== undefined
  )
    return 'cluster';
  return undefined;
}

/**
 * A bare list of resources (a dump of clusters or listeners as xDS tools print them), or a
 * discovery response (`resources: [...]`): each item goes where its kind says.
 */
function collectResources(doc: LinedDocument, list: unknown[], prefix: Path, into: EnvoyConfig) {
  list.forEach((item, i) => {
    const value = asRecord(item);
    const kind = resourceKind(value);
    const entry = { value, path: [...prefix, i], doc };
    if (kind === 'cluster') into.clusters.push(entry);
    else if (kind === 'listener') into.listeners.push(entry);
    else if (kind === 'route') into.routeConfigs.push(entry);
  });
}

function collect(doc: LinedDocument, into: EnvoyConfig) {
  if (Array.isArray(doc.value)) {
    collectResources(doc, doc.value, [], into);
    return;
  }
  const root = asRecord(doc.value);
  if (Array.isArray(root.resources) && root.static_resources === undefined) {
    collectResources(doc, root.resources, ['resources'], into);
    return;
  }
  if (Array.isArray(root.configs)) {
    root.configs.forEach((c, i) => {
      const config = asRecord(c);
      const type = typeOf(config);
      const at: Path = ['configs', i];
      if (type.endsWith('BootstrapConfigDump'))
        collectBootstrap(doc, asRecord(config.bootstrap), [...at, 'bootstrap'], into);
      else if (type.endsWith('ClustersConfigDump')) {
        for (const key of ['static_clusters', 'dynamic_active_clusters']) {
          asArray(config[key]).forEach((entry, j) => {
            into.clusters.push({
              value: asRecord(asRecord(entry).cluster),
              path: [...at, key, j, 'cluster'],
              doc,
            });
          });
        }
      } else if (type.endsWith('ListenersConfigDump')) {
        asArray(config.static_listeners).forEach((entry, j) => {
          into.listeners.push({
            value: asRecord(asRecord(entry).listener),
            path: [...at, 'static_listeners', j, 'listener'],
            doc,
          });
        });
        asArray(config.dynamic_listeners).forEach((entry, j) => {
          const listener = asRecord(asRecord(asRecord(entry).active_state).listener);
          into.listeners.push({
            value: listener,
            path: [...at, 'dynamic_listeners', j, 'active_state', 'listener'],
            doc,
          });
        });
      } else if (type.endsWith('RoutesConfigDump')) {
        for (const key of ['static_route_configs', 'dynamic_route_configs']) {
          asArray(config[key]).forEach((entry, j) => {
            into.routeConfigs.push({
              value: asRecord(asRecord(entry).route_config),
              path: [...at, key, j, 'route_config'],
              doc,
            });
          });
        }
      }
    });
    return;
  }
  collectBootstrap(doc, root, [], into);
}

/** The HTTP connection managers of a listener (filter chains, default filter chain). */
function connectionManagers(listener: Located): Located[] {
  const out: Located[] = [];
  const chains: Array<[unknown, Path]> = asArray(listener.value.filter_chains).map((c, i) => [
    c,
    ['filter_chains', i],
  ]);
  if (listener.value.default_filter_chain)
    chains.push([listener.value.default_filter_chain, ['default_filter_chain']]);
  for (const [chain, chainPath] of chains) {
    asArray(asRecord(chain).filters).forEach((f, k) => {
      const filter = asRecord(f);
      const typed = asRecord(filter.typed_config);
      if (
        filter.name === 'envoy.filters.network.http_connection_manager' ||
        typeOf(typed).endsWith('HttpConnectionManager')
      ) {
        out.push({
          value: typed,
          path: [...listener.path, ...chainPath, 'filters', k, 'typed_config'],
          doc: listener.doc,
        });
      }
    });
  }
  return out;
}

/** Clusters a listener's `tcp_proxy` filters forward to (one upstream connection per downstream one). */
function tcpProxyClusters(listener: Located): string[] {
  const out: string[] = [];
  const chains = [...asArray(listener.value.filter_chains), listener.value.default_filter_chain];
  for (const chain of chains) {
    for (const f of asArray(asRecord(chain).filters)) {
      const filter = asRecord(f);
      const typed = asRecord(filter.typed_config);
      if (filter.name !== 'envoy.filters.network.tcp_proxy' && !typeOf(typed).endsWith('TcpProxy')) continue;
      if (typed.cluster) out.push(String(typed.cluster));
      for (const c of asArray(asRecord(typed.weighted_clusters).clusters)) out.push(String(asRecord(c).name));
    }
  }
  return out;
}

/** A value substituted outside the file (`${IDLE}`, `{{ .Values.idle }}`): unknown, with the reason. */
function unknownFact(
  input: ReaderInput,
  located: Located,
  rest: Path,
  subject: 'pool-idle' | 'server-keepalive',
  value: unknown,
  placeholder: string,
): Fact {
  return (
    placeholderFact(subject, 'envoy', 'idle_timeout', provenance(input, located, rest), value) ?? {
      subject,
      value: { type: 'unset' },
      product: 'envoy',
      setting: 'idle_timeout',
      provenance: provenance(input, located, rest),
      notes: [`idle_timeout ${JSON.stringify(value)} (${placeholder}) is not known`],
    }
  );
}

function provenance(input: ReaderInput, located: Located, rest: Path): Provenance {
  return { kind: 'file', file: input.file, line: located.doc.lineOf([...located.path, ...rest]) };
}

function durationAt(
  input: ReaderInput,
  located: Located,
  rest: Path,
  value: unknown,
  field: string,
  diagnostics: ReaderDiagnostic[],
): { ms: number; text: string } | undefined {
  const where = { file: input.file, line: located.doc.lineOf([...located.path, ...rest]), field };
  return orDiagnostic(() => parseProtobufDurationValue(value, { location: where }), where, diagnostics);
}

function countOf(value: unknown): number | undefined {
  const raw = typeof value === 'object' && value !== null ? asRecord(value).value : value;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

interface RetryUse {
  readonly cluster: string;
  readonly policy: Record<string, unknown> | undefined;
  readonly route: Located;
  readonly rest: Path;
  readonly where: string;
}

function retryUses(config: EnvoyConfig, listenersHcm: Located[]): RetryUse[] {
  const uses: RetryUse[] = [];
  const visitRouteConfig = (rc: Located, routeConfig: Record<string, unknown>, rcPath: Path) => {
    asArray(routeConfig.virtual_hosts).forEach((v, vi) => {
      const vhost = asRecord(v);
      const vhostPolicy = vhost.retry_policy ? asRecord(vhost.retry_policy) : undefined;
      asArray(vhost.routes).forEach((r, ri) => {
        const route = asRecord(asRecord(r).route);
        const policy = route.retry_policy ? asRecord(route.retry_policy) : vhostPolicy;
        const rest: Path = route.retry_policy
          ? [...rcPath, 'virtual_hosts', vi, 'routes', ri, 'route', 'retry_policy']
          : vhostPolicy
            ? [...rcPath, 'virtual_hosts', vi, 'retry_policy']
            : [...rcPath, 'virtual_hosts', vi, 'routes', ri];
        const where = `virtual host ${String(vhost.name ?? vi)}, route ${JSON.stringify(asRecord(asRecord(r).match))}`;
        const clusters = route.cluster
          ? [String(route.cluster)]
          : asArray(asRecord(route.weighted_clusters).clusters).map((c) => String(asRecord(c).name));
        for (const cluster of clusters) uses.push({ cluster, policy, route: rc, rest, where });
      });
    });
  };
  for (const hcm of listenersHcm) {
    if (hcm.value.route_config) visitRouteConfig(hcm, asRecord(hcm.value.route_config), ['route_config']);
  }
  for (const rc of config.routeConfigs) visitRouteConfig(rc, rc.value, []);
  return uses;
}

function retryFact(input: ReaderInput, use: RetryUse): Fact {
  if (!use.policy) {
    return {
      subject: 'retry-policy',
      value: { type: 'retry', on: [], idempotentOnly: false, text: `off (${use.where})` },
      product: 'envoy',
      setting: 'retry_policy',
      isDefault: true,
      provenance: provenance(input, use.route, use.rest),
      notes: ['no retry_policy: a request that fails on a stale pooled connection is answered 503 (UC)'],
    };
  }
  const on = String(use.policy.retry_on ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const retries = countOf(use.policy.num_retries) ?? 1;
  const covers = on.some((o) => ['reset', '5xx', 'reset-before-request'].includes(o));
  return {
    subject: 'retry-policy',
    value: {
      type: 'retry',
      on,
      idempotentOnly: false,
      text: `retry_on ${on.join(',')}, num_retries ${retries} (${use.where})`,
    },
    product: 'envoy',
    setting: 'retry_policy.retry_on',
    provenance: provenance(input, use.route, [...use.rest, 'retry_on']),
    notes: covers
      ? ['Envoy retries whatever the method: non-idempotent requests are replayed too']
      : ['retry_on does not include reset (or 5xx): an upstream connection reset is not retried'],
  };
}

function readCluster(
  cluster: Located,
  input: ReaderInput,
  uses: RetryUse[],
  diagnostics: ReaderDiagnostic[],
): ReadSide {
  const name = String(cluster.value.name ?? '');
  const typed = asRecord(asRecord(cluster.value.typed_extension_protocol_options)[HTTP_OPTIONS]);
  const modern = asRecord(typed.common_http_protocol_options);
  const legacy = asRecord(cluster.value.common_http_protocol_options);
  const modernPath: Path = ['typed_extension_protocol_options', HTTP_OPTIONS, 'common_http_protocol_options'];
  const facts: Fact[] = [];
  const pick = (key: string): { value: unknown; rest: Path; deprecated: boolean } | undefined => {
    if (modern[key] !== undefined)
      return { value: modern[key], rest: [...modernPath, key], deprecated: false };
    if (legacy[key] !== undefined)
      return { value: legacy[key], rest: ['common_http_protocol_options', key], deprecated: true };
    return undefined;
  };
  const idle = pick('idle_timeout');
  const idlePlaceholder = placeholderIn(idle?.value);
  if (idle && idlePlaceholder) {
    facts.push(unknownFact(input, cluster, idle.rest, 'pool-idle', idle.value, idlePlaceholder));
  } else if (idle) {
    const d = durationAt(input, cluster, idle.rest, idle.value, 'idle_timeout', diagnostics);
    const notes = idle.deprecated
      ? [
          'set in the deprecated Cluster.common_http_protocol_options; move it to typed_extension_protocol_options',
        ]
      : [];
    if (d) {
      facts.push({
        subject: 'pool-idle',
        value:
          d.ms === 0
            ? { type: 'unbounded', text: 'idle_timeout 0s (disabled)' }
            : { type: 'duration', ms: d.ms, text: d.text },
        product: 'envoy',
        setting: idle.deprecated
          ? 'common_http_protocol_options.idle_timeout (deprecated location)'
          : 'common_http_protocol_options.idle_timeout (cluster)',
        unit: 'protobuf Duration',
        provenance: provenance(input, cluster, idle.rest),
        notes,
      });
    } else {
      facts.push({
        subject: 'pool-idle',
        value: { type: 'unset' },
        product: 'envoy',
        setting: 'idle_timeout',
        provenance: provenance(input, cluster, idle.rest),
      });
    }
  } else {
    facts.push({ ...defaultFact('envoy', 'pool'), notes: [`cluster ${name} does not set idle_timeout`] });
  }
  const maxRequests =
    pick('max_requests_per_connection') ??
    (cluster.value.max_requests_per_connection !== undefined
      ? {
          value: cluster.value.max_requests_per_connection,
          rest: ['max_requests_per_connection'],
          deprecated: true,
        }
      : undefined);
  if (maxRequests) {
    const count = countOf(maxRequests.value);
    if (count === undefined) {
      diagnostics.push({
        severity: 'error',
        message: `max_requests_per_connection must be a whole number, got ${JSON.stringify(maxRequests.value)}`,
        file: input.file,
        line: cluster.doc.lineOf([...cluster.path, ...maxRequests.rest]),
        field: 'max_requests_per_connection',
      });
    } else if (count > 0) {
      facts.push({
        subject: 'max-requests-per-connection',
        value: { type: 'count', count, text: String(count) },
        product: 'envoy',
        setting: 'max_requests_per_connection',
        provenance: provenance(input, cluster, maxRequests.rest),
      });
    }
  }
  const lifetime = pick('max_connection_duration');
  if (lifetime) {
    const d = durationAt(
      input,
      cluster,
      lifetime.rest,
      lifetime.value,
      'max_connection_duration',
      diagnostics,
    );
    if (d && d.ms > 0) {
      facts.push({
        subject: 'connection-lifetime',
        value: { type: 'duration', ms: d.ms, text: d.text },
        product: 'envoy',
        setting: 'max_connection_duration',
        provenance: provenance(input, cluster, lifetime.rest),
      });
    }
  }
  for (const use of uses.filter((u) => u.cluster === name)) facts.push(retryFact(input, use));
  const targets: string[] = [];
  for (const endpoint of asArray(asRecord(cluster.value.load_assignment).endpoints)) {
    for (const lb of asArray(asRecord(endpoint).lb_endpoints)) {
      const address = asRecord(asRecord(asRecord(asRecord(lb).endpoint).address).socket_address);
      if (address.address) targets.push(`${String(address.address)}:${String(address.port_value ?? '')}`);
    }
  }
  return { role: 'pool', name, label: `Envoy cluster ${name}`, product: 'envoy', facts, targets };
}

function readListener(
  listener: Located,
  hcm: Located,
  input: ReaderInput,
  diagnostics: ReaderDiagnostic[],
): ReadSide {
  const name = String(listener.value.name ?? `listener@${listener.doc.lineOf(listener.path) ?? '?'}`);
  const options = asRecord(hcm.value.common_http_protocol_options);
  const facts: Fact[] = [];
  const placeholder = placeholderIn(options.idle_timeout);
  if (placeholder) {
    const rest: Path = ['common_http_protocol_options', 'idle_timeout'];
    facts.push(unknownFact(input, hcm, rest, 'server-keepalive', options.idle_timeout, placeholder));
  } else if (options.idle_timeout !== undefined) {
    const rest: Path = ['common_http_protocol_options', 'idle_timeout'];
    const d = durationAt(input, hcm, rest, options.idle_timeout, 'idle_timeout', diagnostics);
    if (d) {
      facts.push({
        subject: 'server-keepalive',
        value:
          d.ms === 0
            ? { type: 'unbounded', text: 'idle_timeout 0s (disabled)' }
            : { type: 'duration', ms: d.ms, text: d.text },
        product: 'envoy',
        setting: 'HttpConnectionManager.common_http_protocol_options.idle_timeout',
        unit: 'protobuf Duration',
        provenance: provenance(input, hcm, rest),
      });
    } else {
      facts.push({
        subject: 'server-keepalive',
        value: { type: 'unset' },
        product: 'envoy',
        setting: 'idle_timeout',
        provenance: provenance(input, hcm, rest),
      });
    }
  } else {
    facts.push({ ...defaultFact('envoy', 'server'), notes: [`listener ${name} does not set idle_timeout`] });
  }
  const address = asRecord(asRecord(listener.value.address).socket_address);
  const targets =
    address.port_value !== undefined
      ? [`${String(address.address ?? '')}:${String(address.port_value)}`]
      : [];
  return { role: 'server', name, label: `Envoy listener ${name}`, product: 'envoy', facts, targets };
}

/** Reads an Envoy bootstrap (YAML/JSON) or an admin `/config_dump`: clusters and listeners. */
export function readEnvoy(input: ReaderInput): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const config: EnvoyConfig = { clusters: [], listeners: [], routeConfigs: [] };
  for (const doc of parseLined(input.text, input.file, diagnostics))
    collect({ value: snakeKeys(doc.value), lineOf: (path) => doc.lineOf(path) }, config);
  const hcms = config.listeners.flatMap((l) => connectionManagers(l).map((h) => ({ listener: l, hcm: h })));
  const uses = retryUses(
    config,
    hcms.map((h) => h.hcm),
  );
  const sides: ReadSide[] = [];
  const seen = new Set<string>();
  const routed = new Set(uses.map((u) => u.cluster));
  const tcpOnly = new Set(config.listeners.flatMap(tcpProxyClusters).filter((name) => !routed.has(name)));
  for (const cluster of config.clusters) {
    const name = String(cluster.value.name ?? '');
    if (!name || seen.has(`c ${name}`)) continue;
    seen.add(`c ${name}`);
    const from = diagnostics.length;
    if (tcpOnly.has(name)) {
      sides.push({
        role: 'pool',
        name,
        label: `Envoy cluster ${name}`,
        product: 'envoy',
        facts: [
          {
            subject: 'pool-idle',
            value: { type: 'disabled', text: 'used only by tcp_proxy' },
            product: 'envoy',
            setting: 'tcp_proxy',
            provenance: provenance(input, cluster, []),
            notes: [
              `only a tcp_proxy filter forwards to cluster ${name}: each downstream connection gets its own upstream connection, no HTTP connection is pooled or reused`,
            ],
          },
        ],
      });
      continue;
    }
    sides.push(readCluster(cluster, input, uses, diagnostics));
    tagDiagnostics(diagnostics, from, name);
  }
  for (const { listener, hcm } of hcms) {
    const from = diagnostics.length;
    const side = readListener(listener, hcm, input, diagnostics);
    tagDiagnostics(diagnostics, from, side.name);
    if (seen.has(`l ${side.name}`)) continue;
    seen.add(`l ${side.name}`);
    sides.push(side);
  }
  return { sides, diagnostics };
}

export const envoyReader: ConfigReader = {
  id: 'envoy',
  summary:
    'Envoy bootstrap (YAML/JSON) or admin /config_dump (file or URL): cluster idle_timeout, max requests, max duration, route retries',
  roles: ['pool', 'server'],
  folderFiles: /\.(ya?ml|json)$/i,
  readsUrls: true,
  detect: (_file, text) =>
    /static_resources|staticResources|ClustersConfigDump|envoy\.extensions/.test(text.slice(0, 20_000)),
  read: readEnvoy,
};
