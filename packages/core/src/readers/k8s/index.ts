import { type Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult, ReadSide } from '../types.js';
import { readK8sEnvoyGateway } from './envoy-gateway.js';
import { readK8sLoadBalancers } from './lb.js';
import { readK8sTraefik } from './traefik.js';
import { readK8sWorkloads } from './workloads.js';

/** One Kubernetes object from a manifest file, with a way back to its lines. */
export interface K8sObject {
  readonly file: string;
  /** 0-based index of the YAML document in its file. */
  readonly documentIndex: number;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** The plain object (`yaml` toJS). */
  readonly value: Record<string, unknown>;
  /** 1-based line of the node at `path` (keys and indexes), or of the document when not found. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** The manifests of a `k8s:` source, parsed once and shared by every part of the reader. */
export interface K8sManifests {
  readonly objects: readonly K8sObject[];
  readonly diagnostics: ReaderDiagnostic[];
}

function lineOfFactory(doc: Document, counter: LineCounter) {
  return (path: readonly (string | number)[]): number | undefined => {
    let node: unknown = doc.contents;
    let last: unknown = node;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) break;
        last = pair.key ?? pair.value;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if (node === undefined) break;
        last = node;
      } else break;
      last = node ?? last;
    }
    const range = (last as { range?: [number, number, number] } | undefined)?.range;
    if (!range) return undefined;
    return counter.linePos(range[0]).line;
  };
}

/** Parses multi-document YAML (and `kind: List`) into objects; syntax errors become diagnostics. */
export function parseK8sManifests(inputs: readonly ReaderInput[]): K8sManifests {
  const objects: K8sObject[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  for (const input of inputs) {
    const counter = new LineCounter();
    const docs = parseAllDocuments(input.text, { lineCounter: counter, uniqueKeys: false });
    const list = Array.isArray(docs) ? docs : [];
    if (!Array.isArray(docs)) {
      diagnostics.push({ severity: 'error', message: 'not YAML', file: input.file });
      continue;
    }
    const template = /\{\{-?\s*[.$\w]/.exec(input.text);
    if (template && list.some((doc) => doc.errors.length > 0)) {
      // A Helm chart template is not YAML until rendered: one clear error, not one per token.
      diagnostics.push({
        severity: 'error',
        message: `a Helm/Go template (${JSON.stringify(input.text.slice(template.index, template.index + 40).split('\n')[0])}), not a manifest: its values are not known until rendered; run \`helm template\` and read the output`,
        file: input.file,
        line: input.text.slice(0, template.index).split('\n').length,
      });
      continue;
    }
    list.forEach((doc, documentIndex) => {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          diagnostics.push({
            severity: 'error',
            message: `YAML does not parse: ${error.message.split('\n')[0]}`,
            file: input.file,
            line: error.linePos?.[0]?.line,
          });
        }
        return;
      }
      const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value)) return;
      const lineOf = lineOfFactory(doc, counter);
      const push = (v: Record<string, unknown>, prefix: (string | number)[]) => {
        const metadata = (v.metadata ?? {}) as Record<string, unknown>;
        objects.push({
          file: input.file,
          documentIndex,
          kind: String(v.kind ?? ''),
          apiVersion: String(v.apiVersion ?? ''),
          name: String(metadata.name ?? ''),
          namespace: metadata.namespace === undefined ? undefined : String(metadata.namespace),
          value: v,
          lineOf: (path) => lineOf([...prefix, ...path]),
        });
      };
      const object = value as Record<string, unknown>;
      if (object.kind === 'List' && Array.isArray(object.items)) {
        object.items.forEach((item, i) => {
          if (item && typeof item === 'object') push(item as Record<string, unknown>, ['items', i]);
        });
      } else if (object.kind === undefined && object.apiVersion === undefined) {
        // Resources grouped by kind (`gateways: [...]`, `backendTrafficPolicies: [...]`), as Envoy
        // Gateway's translator takes them: each listed object is read as a manifest.
        for (const [key, list] of Object.entries(object)) {
          if (!Array.isArray(list)) continue;
          list.forEach((item, i) => {
            const v = item as Record<string, unknown> | null;
            if (v && typeof v === 'object' && v.kind !== undefined && v.apiVersion !== undefined)
              push(v, [key, i]);
          });
        }
      } else push(object, []);
    });
  }
  return { objects, diagnostics };
}

/**
 * The parts of the `k8s:` reader, each a pure function of the parsed manifests. The load-balancer
 * side (ingress-nginx ConfigMap, AWS Load Balancer Controller annotations, Istio DestinationRule)
 * lives in lb.ts.
 *
 * Workloads plug in here: issue 6 adds its `readK8sWorkloads` (k8s/workloads.ts, the server side:
 * Deployment/StatefulSet containers' commands and env) as one more entry of this list.
 */
export const K8S_PARTS: Array<(manifests: K8sManifests) => ReaderResult> = [
  readK8sLoadBalancers,
  readK8sWorkloads,
  readK8sTraefik,
  readK8sEnvoyGateway,
];

export function readK8s(inputs: readonly ReaderInput[]): ReaderResult {
  const manifests = parseK8sManifests(inputs);
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [...manifests.diagnostics];
  for (const part of K8S_PARTS) {
    const result = part(manifests);
    sides.push(...result.sides);
    diagnostics.push(...result.diagnostics);
  }
  return { sides, diagnostics };
}

export const k8sReader: ConfigReader = {
  id: 'k8s',
  summary:
    'Kubernetes manifests (a file or a folder): ingress-nginx ConfigMap, ALB controller annotations, Istio DestinationRule',
  roles: ['pool', 'server'],
  folderFiles: /\.ya?ml$/i,
  detect: (_file, text) => /^\s*apiVersion:/m.test(text) && /^\s*kind:/m.test(text),
  read: (input) => readK8s([input]),
  readMany: (inputs) => readK8s(inputs),
};
