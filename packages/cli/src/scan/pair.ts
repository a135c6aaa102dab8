import {
  containerOf,
  containerSide,
  DEFAULT_MARGIN_MS,
  defaultFact,
  type Fact,
  formatDuration,
  type Hop,
  type HopSide,
  type K8sObject,
  overlayContainer,
  parseK8sManifests,
  parseTerraformDocuments,
  type ReaderInput,
  type ReadSide,
  type TerraformResource,
} from '@keepalive-parity/core';
import type { FoundSide } from './collect.js';

/** A side no pair could be found for, with what was found about it. */
export interface UnpairedSide {
  readonly role: 'pool' | 'server';
  readonly reader: string;
  readonly label: string;
  readonly source: string;
  readonly product: string | null;
  /** The side's main value for people (`60 s`, `off`, `unknown`). */
  readonly value: string;
  readonly targets: readonly string[];
  /** Why it is unpaired (`no service named api in compose or Kubernetes`). */
  readonly reason: string;
}

export interface Pairing {
  readonly hops: Hop[];
  readonly unpaired: UnpairedSide[];
  /** How each hop was linked (`nginx upstream api → compose service api`), by hop index. */
  readonly links: string[];
}

/** Readers of a server's own config file, which a Dockerfile's command may already have read. */
const CONFIG_FILE_READERS = new Set([
  'gunicorn-conf',
  'puma-rb',
  'spring-boot',
  'kestrel',
  'tomcat',
  'httpd',
]);

interface ServerCandidate {
  readonly found: FoundSide;
  readonly side: ReadSide;
}

function hopSide(found: { readonly side: ReadSide; readonly source: string }): HopSide {
  return {
    label: found.side.label,
    product: found.side.product,
    facts: found.side.facts,
    source: found.source,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mainValue(side: ReadSide): string {
  const fact = side.facts.find((f) => f.subject === 'server-keepalive' || f.subject === 'pool-idle');
  if (!fact) return 'unknown';
  const v = fact.value;
  const text =
    v.type === 'duration'
      ? formatDuration(v.ms)
      : v.type === 'disabled'
        ? 'off'
        : v.type === 'unbounded'
          ? 'unbounded'
          : v.type === 'unset'
            ? 'unknown'
            : v.type;
  return fact.isDefault ? `${text} (default)` : text;
}

/** `http://api.default.svc.cluster.local:8000/x` → `api.default.svc.cluster.local`. */
export function hostOf(target: string): string {
  return target
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^unix:.*$/, '');
}

interface K8sService {
  readonly object: K8sObject;
  readonly namespace: string;
  readonly selector: Record<string, string>;
}

/**
 * Pairs the client-side pools found in a repository with the servers they route to, where the
 * files say so:
 *
 * - nginx `upstream { server HOST:PORT; }` (and any pool side's targets) → a compose service named
 *   HOST, or a Kubernetes Service named HOST (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`) →
 *   the workloads its selector matches;
 * - Kubernetes Ingress → Service → workload, with the ingress controller's pool (the k8s reader's
 *   ingress-nginx / ALB side, else the controller's knowledge-base default);
 * - Terraform ALB → listener → target group → `aws_ecs_service` → task definition containers
 *   (the terraform reader's side for the `aws_lb`, else its `idle_timeout` or the ALB default).
 *
 * Containers whose command comes from their image (no command in the manifest) are read on top
 * of the Dockerfile built for that image (matched by image name ↔ Dockerfile folder).
 */
export function pairSides(
  found: readonly FoundSide[],
  inputs: ReadonlyMap<string, ReaderInput[]>,
  marginMs = DEFAULT_MARGIN_MS,
): Pairing {
  // ---- 1. containers without a command: overlay the Dockerfile built for their image
  const dockerfiles = found.filter((f) => f.reader === 'dockerfile' && containerOf(f.side));
  const consumedDockerfiles = new Set<FoundSide>();
  const servers: ServerCandidate[] = [];
  // Config files a Dockerfile or compose file already read with its command are not sides of their own.
  const usedConfigFiles = new Set(found.flatMap((f) => [...(f.files?.keys() ?? [])]));
  for (const f of found) {
    if (f.side.role !== 'server' || f.reader === 'dockerfile') continue;
    if (
      CONFIG_FILE_READERS.has(f.reader) &&
      usedConfigFiles.has(f.source.slice(f.reader.length + 1).replace(/#[^#]*$/, ''))
    )
      continue;
    const container = containerOf(f.side);
    let side = f.side;
    if (container) {
      for (const d of dockerfiles) {
        const dc = containerOf(d.side)!;
        if (container.keys.some((k) => k.startsWith('dockerfile:') && dc.keys.includes(k)))
          consumedDockerfiles.add(d);
      }
      if (container.entrypoint === undefined && container.cmd === undefined) {
        const match = dockerfiles.find((d) =>
          containerOf(d.side)!.keys.some((k) => k.startsWith('image:') && container.keys.includes(k)),
        );
        if (match) {
          consumedDockerfiles.add(match);
          side = containerSide(overlayContainer(containerOf(match.side), container), {
            files: match.files,
          }).side;
          side = {
            ...side,
            label: `${container.label} (${side.product ?? 'server'}, command from ${containerOf(match.side)!.file})`,
          };
        }
      }
    }
    servers.push({ found: f, side });
  }
  for (const d of dockerfiles) if (!consumedDockerfiles.has(d)) servers.push({ found: d, side: d.side });

  // ---- 2. indexes for names
  const manifests = parseK8sManifests(inputs.get('k8s') ?? []);
  const services: K8sService[] = manifests.objects
    .filter((o) => o.kind === 'Service')
    .map((o) => {
      const spec = isRecord(o.value.spec) ? o.value.spec : {};
      const selector = isRecord(spec.selector)
        ? Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v)]))
        : {};
      return { object: o, namespace: o.namespace ?? 'default', selector };
    });
  const workloadsOf = (service: K8sService): ServerCandidate[] => {
    const wanted = Object.entries(service.selector).map(
      ([k, v]) => `k8s-label:${service.namespace}/${k}=${v}`,
    );
    if (wanted.length === 0) return [];
    return servers.filter((s) => wanted.every((w) => (s.side.targets ?? []).includes(w)));
  };
  const serviceByName = (name: string, namespace?: string): K8sService | undefined =>
    services.find((s) => s.object.name === name && (namespace === undefined || s.namespace === namespace));
  /** Servers a host name reaches, and how. */
  const resolveHost = (host: string): { servers: ServerCandidate[]; how: string } | undefined => {
    if (!host) return undefined;
    const compose = servers.filter((s) => (s.side.targets ?? []).includes(`service:${host}`));
    if (compose.length > 0) return { servers: compose, how: `compose service ${host}` };
    const parts = host.split('.');
    const service =
      parts.length >= 2 && parts[1] !== 'svc'
        ? (serviceByName(parts[0]!, parts[1]) ?? serviceByName(parts[0]!))
        : serviceByName(parts[0]!);
    if (service && (parts.length === 1 || parts[1] === service.namespace)) {
      const w = workloadsOf(service);
      if (w.length > 0)
        return {
          servers: w,
          how: `Kubernetes Service ${service.object.name} (${service.object.file}:${service.object.lineOf([]) ?? '?'})`,
        };
    }
    return undefined;
  };

  const hops: Hop[] = [];
  const links: string[] = [];
  const pairedServers = new Set<ServerCandidate>();
  const pairedClients = new Set<FoundSide>();
  const addHop = (client: { side: ReadSide; source: string }, server: ServerCandidate, how: string) => {
    if (hops.some((h) => h.client.source === client.source && h.server.source === server.found.source))
      return;
    pairedServers.add(server);
    hops.push({
      index: hops.length,
      name: `${client.side.label} → ${server.side.label}`,
      client: hopSide(client),
      server: hopSide({ side: server.side, source: server.found.source }),
      marginMs,
    });
    links.push(how);
  };
  const unpaired: UnpairedSide[] = [];

  // ---- 3. pool sides with targets (nginx upstream servers, and any reader that names targets)
  const ingressPools = new Map<string, FoundSide[]>();
  for (const client of found.filter((f) => f.side.role === 'pool')) {
    for (const target of client.side.targets ?? []) {
      const m = /^ingress(-class)?:(.+)$/.exec(target);
      if (m) ingressPools.set(target, [...(ingressPools.get(target) ?? []), client]);
    }
    let matched = false;
    for (const target of client.side.targets ?? []) {
      const resolved = resolveHost(hostOf(target));
      if (!resolved) continue;
      for (const server of resolved.servers)
        addHop(client, server, `${client.reader} ${client.side.name} → ${target} → ${resolved.how}`);
      matched = true;
    }
    if (matched) pairedClients.add(client);
  }

  // ---- 4. Kubernetes Ingress → Service → workloads
  for (const ingress of manifests.objects.filter((o) => o.kind === 'Ingress')) {
    const spec = isRecord(ingress.value.spec) ? ingress.value.spec : {};
    const annotations = isRecord((ingress.value.metadata as Record<string, unknown> | undefined)?.annotations)
      ? ((ingress.value.metadata as Record<string, unknown>).annotations as Record<string, unknown>)
      : {};
    const className = String(spec.ingressClassName ?? annotations['kubernetes.io/ingress.class'] ?? 'nginx');
    const backends: string[] = [];
    const addBackend = (b: unknown) => {
      const svc =
        isRecord(b) && isRecord(b.service) ? b.service.name : isRecord(b) ? b.serviceName : undefined;
      if (typeof svc === 'string') backends.push(svc);
    };
    addBackend(spec.defaultBackend ?? spec.backend);
    for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
      const paths =
        isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
      for (const p of paths) if (isRecord(p)) addBackend(p.backend);
    }
    const namespace = ingress.namespace ?? 'default';
    // The controller's pool: a side the k8s reader found for this ingress or its class, else the default.
    const product = /alb/i.test(className)
      ? 'aws-alb'
      : /nginx/i.test(className)
        ? 'ingress-nginx'
        : undefined;
    const fromReader =
      ingressPools.get(`ingress:${namespace}/${ingress.name}`) ??
      ingressPools.get(`ingress:${ingress.name}`) ??
      ingressPools.get(`ingress-class:${className}`) ??
      found.filter(
        (f) =>
          f.side.role === 'pool' &&
          f.reader === 'k8s' &&
          product !== undefined &&
          f.side.product === product &&
          // An ALB is per Ingress (its annotations); the ingress-nginx ConfigMap serves every Ingress.
          (product !== 'aws-alb' ||
            f.side.name === `ingress/${ingress.namespace ? `${ingress.namespace}/` : ''}${ingress.name}`),
      );
    let clients: { side: ReadSide; source: string }[] = fromReader;
    if (clients.length === 0 && product) {
      const fact = defaultFact(product, 'pool');
      const note = `no ${product === 'aws-alb' ? 'ALB attributes' : 'ingress-nginx ConfigMap'} for Ingress ${ingress.name} (class ${className}) was found in the repository, so the controller's default applies`;
      clients = [
        {
          side: {
            role: 'pool',
            name: `ingress ${ingress.name}`,
            label: `Ingress ${ingress.name} (${className} controller)`,
            product,
            facts: [{ ...fact, notes: [note, ...(fact.notes ?? [])] }],
          },
          source: `runtime:${product}`,
        },
      ];
    }
    for (const client of clients) {
      if ('reader' in client) pairedClients.add(client as FoundSide);
      for (const name of backends) {
        const service = serviceByName(name, namespace) ?? serviceByName(name);
        if (!service) {
          unpaired.push({
            role: 'pool',
            reader: 'k8s',
            label: `Ingress ${ingress.name} → Service ${name}`,
            source: `k8s:${ingress.file}#${ingress.name}`,
            product: product ?? null,
            value: mainValue(client.side),
            targets: [name],
            reason: `Service ${name} is not in the scanned manifests`,
          });
          continue;
        }
        const workloads = workloadsOf(service);
        if (workloads.length === 0) {
          unpaired.push({
            role: 'pool',
            reader: 'k8s',
            label: `Ingress ${ingress.name} → Service ${name}`,
            source: `k8s:${ingress.file}#${ingress.name}`,
            product: product ?? null,
            value: mainValue(client.side),
            targets: [name],
            reason: `no workload matches Service ${name}'s selector`,
          });
        }
        for (const w of workloads)
          addHop(client, w, `Ingress ${ingress.name} (${ingress.file}) → Service ${name} → ${w.side.label}`);
      }
    }
  }

  // ---- 5. Terraform: ALB → listener → target group → ECS service containers
  const tf = parseTerraformDocuments(inputs.get('terraform') ?? []);
  const refName = (value: unknown, types: readonly string[]): string | undefined => {
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
    for (const type of types) {
      const m = new RegExp(`${type}\\.([A-Za-z_][\\w-]*)`).exec(text);
      if (m) return m[1];
    }
    return undefined;
  };
  const lbTypes = ['aws_lb', 'aws_alb'];
  for (const server of servers) {
    const groups = (server.side.targets ?? [])
      .filter((t) => t.startsWith('tf-target-group:'))
      .map((t) => t.slice('tf-target-group:'.length));
    for (const group of groups) {
      const listeners = tf.resources.filter(
        (r) =>
          (r.type === 'aws_lb_listener' ||
            r.type === 'aws_alb_listener' ||
            r.type === 'aws_lb_listener_rule') &&
          JSON.stringify(r.values).includes(`_target_group.${group}.`),
      );
      const lbNames = new Set<string>();
      for (const listener of listeners) {
        let lb = refName(listener.values.load_balancer_arn, lbTypes);
        if (!lb && listener.type === 'aws_lb_listener_rule') {
          const parent = refName(listener.values.listener_arn, ['aws_lb_listener', 'aws_alb_listener']);
          const parentListener = tf.resources.find(
            (r) => (r.type === 'aws_lb_listener' || r.type === 'aws_alb_listener') && r.name === parent,
          );
          lb = parentListener ? refName(parentListener.values.load_balancer_arn, lbTypes) : undefined;
        }
        if (lb) lbNames.add(lb);
      }
      for (const lbName of lbNames) {
        const fromReader = found.filter(
          (f) =>
            f.reader === 'terraform' &&
            f.side.role === 'pool' &&
            (f.side.name === lbName ||
              f.side.name.endsWith(`.${lbName}`) ||
              (f.side.targets ?? []).includes(`aws_lb.${lbName}`)),
        );
        const resource = tf.resources.find((r) => lbTypes.includes(r.type) && r.name === lbName);
        const clients = fromReader.length > 0 ? fromReader : resource ? [albFallback(resource)] : [];
        for (const client of clients) {
          if ('reader' in client) pairedClients.add(client as FoundSide);
          addHop(
            client,
            server,
            `aws_lb.${lbName} → listener → aws_lb_target_group.${group} → ${server.side.label}`,
          );
        }
      }
    }
  }

  // ---- 6. what stayed unpaired
  for (const client of found.filter((f) => f.side.role === 'pool' && !pairedClients.has(f))) {
    const targets = client.side.targets ?? [];
    unpaired.push({
      role: 'pool',
      reader: client.reader,
      label: client.side.label,
      source: client.source,
      product: client.side.product ?? null,
      value: mainValue(client.side),
      targets,
      reason:
        targets.length === 0
          ? 'the file does not say where it routes'
          : `no compose service or Kubernetes Service named ${targets.map(hostOf).join(', ')}`,
    });
  }
  for (const server of servers.filter((s) => !pairedServers.has(s))) {
    unpaired.push({
      role: 'server',
      reader: server.found.reader,
      label: server.side.label,
      source: server.found.source,
      product: server.side.product ?? null,
      value: mainValue(server.side),
      targets: server.side.targets ?? [],
      reason: 'nothing in the repository routes to it (name the pair in keepalive-parity.yaml)',
    });
  }
  return { hops, unpaired, links };
}

/** The pool side of an `aws_lb` the terraform reader did not describe: its `idle_timeout`, else the ALB default. */
function albFallback(resource: TerraformResource): { side: ReadSide; source: string } {
  const idle = resource.values.idle_timeout;
  let fact: Fact;
  if (typeof idle === 'number' || (typeof idle === 'string' && /^\d+$/.test(idle))) {
    fact = {
      subject: 'pool-idle',
      value: { type: 'duration', ms: Number(idle) * 1000, text: `${idle}s` },
      product: 'aws-alb',
      setting: 'idle_timeout',
      unit: 'seconds',
      provenance: { kind: 'file', file: resource.file, line: resource.attributeLine('idle_timeout') },
    };
  } else {
    const d = defaultFact('aws-alb', 'pool');
    fact = {
      ...d,
      notes: [
        `aws_lb.${resource.name} (${resource.file}:${resource.line ?? '?'}) sets no idle_timeout`,
        ...(d.notes ?? []),
      ],
    };
  }
  return {
    side: {
      role: 'pool',
      name: resource.name,
      label: `ALB aws_lb.${resource.name}`,
      product: 'aws-alb',
      facts: [fact],
    },
    source: `terraform:${resource.file}#${resource.name}`,
  };
}
