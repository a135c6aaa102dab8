import type { Provenance } from '../../facts.js';
import { type ContainerSpec, containerSide } from '../image/container.js';
import type { EnvEntry } from '../servers/index.js';
import type { ReaderDiagnostic, ReaderResult, ReadSide } from '../types.js';
import type { K8sManifests, K8sObject } from './index.js';

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Pod',
  'Job',
  'CronJob',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => String(v)) : undefined;
}

/** Path from the object root to its pod spec, and the pod template's labels. */
function podSpecPath(object: K8sObject): (string | number)[] | undefined {
  if (object.kind === 'Pod') return ['spec'];
  if (object.kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let cur = value;
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === 'number') cur = cur[key];
    else if (isRecord(cur) && typeof key === 'string') cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** `$(VAR)` references in args/command, expanded from the container's env as Kubernetes does. */
function expandK8sVars(
  words: readonly string[] | undefined,
  env: ReadonlyMap<string, EnvEntry>,
): string[] | undefined {
  return words?.map((w) =>
    w.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env.get(name)?.value ?? all),
  );
}

/**
 * Server sides of Kubernetes workloads: each container of a Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob or Pod, with its `command` (ENTRYPOINT), `args` (CMD) and `env`
 * (`value`, `valueFrom.configMapKeyRef`, `envFrom.configMapRef` from ConfigMaps in the same
 * manifests), read with the server readers. A container with neither command nor args runs its
 * image's own command, which is not in the manifests: `scan` pairs it with a Dockerfile, and a
 * `k8s:` source alone reports it as unknown.
 */
export function workloadContainerSpecs(manifests: K8sManifests): {
  specs: ContainerSpec[];
  diagnostics: ReaderDiagnostic[];
} {
  const specs: ContainerSpec[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  const configMaps = manifests.objects.filter((o) => o.kind === 'ConfigMap');
  const findConfigMap = (name: string, namespace: string | undefined) =>
    configMaps.find((c) => c.name === name && (c.namespace ?? 'default') === (namespace ?? 'default')) ??
    configMaps.find((c) => c.name === name);
  for (const object of manifests.objects) {
    if (!WORKLOAD_KINDS.has(object.kind)) continue;
    const podPath = podSpecPath(object)!;
    const pod = at(object.value, podPath);
    if (!isRecord(pod)) continue;
    const templatePath = podPath.slice(0, -1);
    const labels =
      object.kind === 'Pod'
        ? at(object.value, ['metadata', 'labels'])
        : at(object.value, [...templatePath, 'metadata', 'labels']);
    const namespace = object.namespace ?? 'default';
    const labelKeys = isRecord(labels)
      ? Object.entries(labels).map(([k, v]) => `k8s-label:${namespace}/${k}=${String(v)}`)
      : [];
    const containers = Array.isArray(pod.containers) ? pod.containers : [];
    containers.forEach((raw, index) => {
      if (!isRecord(raw)) return;
      const cPath = [...podPath, 'containers', index];
      const cname = String(raw.name ?? `container-${index}`);
      const env = new Map<string, EnvEntry>();
      const put = (name: string, value: string, provenance: Provenance, where: string) =>
        env.set(name, { value, provenance, where });
      // envFrom first: explicit env entries win over it (Kubernetes' rule).
      if (Array.isArray(raw.envFrom)) {
        raw.envFrom.forEach((source, i) => {
          if (!isRecord(source)) return;
          const prefix = typeof source.prefix === 'string' ? source.prefix : '';
          const ref = source.configMapRef;
          if (isRecord(ref) && typeof ref.name === 'string') {
            const cm = findConfigMap(ref.name, object.namespace);
            if (!cm) {
              diagnostics.push({
                severity: 'warning',
                message: `${object.kind} ${object.name} container ${cname}: envFrom ConfigMap ${ref.name} is not in these manifests; its values are not known`,
                file: object.file,
                line: object.lineOf([...cPath, 'envFrom', i]),
              });
              return;
            }
            const data = isRecord(cm.value.data) ? cm.value.data : {};
            for (const [k, v] of Object.entries(data)) {
              const line = cm.lineOf(['data', k]);
              put(
                `${prefix}${k}`,
                String(v),
                { kind: 'file', file: cm.file, line },
                `ConfigMap ${cm.name} via envFrom (${cm.file}:${line ?? '?'})`,
              );
            }
          } else if (isRecord(source.secretRef)) {
            diagnostics.push({
              severity: 'warning',
              message: `${object.kind} ${object.name} container ${cname}: envFrom Secret ${String(source.secretRef.name)} is not read`,
              file: object.file,
              line: object.lineOf([...cPath, 'envFrom', i]),
            });
          }
        });
      }
      if (Array.isArray(raw.env)) {
        raw.env.forEach((item, i) => {
          if (!isRecord(item) || typeof item.name !== 'string') return;
          const line = object.lineOf([...cPath, 'env', i]);
          if ('value' in item) {
            put(
              item.name,
              String(item.value ?? ''),
              { kind: 'file', file: object.file, line },
              `${object.kind} ${object.name} env (${object.file}:${line ?? '?'})`,
            );
            return;
          }
          const ref = isRecord(item.valueFrom) ? item.valueFrom.configMapKeyRef : undefined;
          if (isRecord(ref) && typeof ref.name === 'string' && typeof ref.key === 'string') {
            const cm = findConfigMap(ref.name, object.namespace);
            const data = cm && isRecord(cm.value.data) ? cm.value.data : undefined;
            if (!cm || !data || !(ref.key in data)) {
              diagnostics.push({
                severity: 'warning',
                message: `${object.kind} ${object.name} container ${cname}: ${item.name} comes from ConfigMap ${ref.name} key ${ref.key}, which is not in these manifests`,
                file: object.file,
                line,
              });
              return;
            }
            const cmLine = cm.lineOf(['data', ref.key]);
            put(
              item.name,
              String(data[ref.key]),
              { kind: 'file', file: cm.file, line: cmLine },
              `ConfigMap ${cm.name} key ${ref.key} (${cm.file}:${cmLine ?? '?'}), via ${object.file}:${line ?? '?'}`,
            );
          } else if (isRecord(item.valueFrom)) {
            diagnostics.push({
              severity: 'warning',
              message: `${object.kind} ${object.name} container ${cname}: ${item.name} comes from ${Object.keys(item.valueFrom).join(', ')}, which is not read`,
              file: object.file,
              line,
            });
          }
        });
      }
      const ports: number[] = [];
      const portKeys: string[] = [];
      if (Array.isArray(raw.ports)) {
        for (const p of raw.ports) {
          if (!isRecord(p)) continue;
          const n = Number(p.containerPort);
          if (n > 0) {
            ports.push(n);
            if (typeof p.name === 'string') portKeys.push(`k8s-port-name:${p.name}=${n}`);
          }
        }
      }
      const image = typeof raw.image === 'string' ? raw.image : undefined;
      const imageBase = image
        ?.replace(/@sha256:.*$/, '')
        .replace(/:[^/:]+$/, '')
        .split('/')
        .pop();
      const command = expandK8sVars(stringList(raw.command), env);
      const args = expandK8sVars(stringList(raw.args), env);
      specs.push({
        name:
          containers.length > 1 ? `${object.kind}/${object.name}/${cname}` : `${object.kind}/${object.name}`,
        label: `${object.kind} ${object.name} container ${cname}`,
        entrypoint: command,
        cmd: args,
        env,
        image,
        file: object.file,
        line: object.lineOf(cPath),
        commandLine: args
          ? object.lineOf([...cPath, 'args'])
          : command
            ? object.lineOf([...cPath, 'command'])
            : undefined,
        ports,
        keys: [
          `k8s-workload:${namespace}/${object.kind}/${object.name}`,
          ...labelKeys,
          ...portKeys,
          ...(imageBase ? [`image:${imageBase}`] : []),
        ],
        origin: `Kubernetes ${object.kind}`,
      });
    });
  }
  return { specs, diagnostics };
}

export function readK8sWorkloads(manifests: K8sManifests): ReaderResult {
  const { specs, diagnostics } = workloadContainerSpecs(manifests);
  const sides: ReadSide[] = [];
  for (const spec of specs) {
    const { side, diagnostics: d } = containerSide(spec);
    sides.push(side);
    diagnostics.push(
      ...d.map((message) => ({ severity: 'warning' as const, message, file: spec.file, line: spec.line })),
    );
  }
  return { sides, diagnostics };
}
