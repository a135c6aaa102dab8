import { asArray, asRecord } from '../envoy/yaml.js';
import type { ReaderDiagnostic, ReadSide } from '../types.js';
import { type Doc, get, readTransport, type Transport } from './index.js';

/** Traefik's Kubernetes CRD groups: `traefik.io` (v2.10+, v3) and the older `traefik.containo.us`. */
const CRD_API = /^traefik\.(io|containo\.us)\/v1alpha1$/;

export function isTraefikCrd(value: Record<string, unknown>): boolean {
  return CRD_API.test(String(value.apiVersion ?? ''));
}

function objectName(value: Record<string, unknown>): { name: string; namespace: string } {
  const metadata = asRecord(value.metadata);
  return { name: String(metadata.name ?? ''), namespace: String(metadata.namespace ?? 'default') };
}

/**
 * Traefik as Kubernetes custom resources: each `ServersTransport` (its `spec` has the same fields as
 * a file provider's `serversTransports` entry), and each IngressRoute service that names one
 * (`serversTransport: NAME`, in the route's namespace). A service that names none uses the default
 * transport of Traefik's static configuration, which is not in these manifests: it is not reported.
 */
export function readTraefikCrds(
  docs: ReadonlyArray<{ doc: Doc; file: string }>,
  diagnostics: ReaderDiagnostic[],
): ReadSide[] {
  const sides: ReadSide[] = [];
  const transports = new Map<string, Transport>();
  for (const { doc, file } of docs) {
    if (doc.value.kind !== 'ServersTransport') continue;
    const { name, namespace } = objectName(doc.value);
    const transport = readTransport(
      doc,
      { text: '', file },
      asRecord(doc.value.spec),
      ['spec'],
      `${namespace}/${name}`,
      diagnostics,
    );
    transports.set(`${namespace}/${name}`, transport);
    sides.push({
      role: 'pool',
      name: `ServersTransport/${namespace}/${name}`,
      label: `Traefik ServersTransport ${namespace}/${name}`,
      product: 'traefik',
      facts: transport.facts,
    });
  }
  for (const { doc, file } of docs) {
    if (doc.value.kind !== 'IngressRoute') continue;
    const { name, namespace } = objectName(doc.value);
    asArray(asRecord(doc.value.spec).routes).forEach((route, ri) => {
      asArray(asRecord(route).services).forEach((s, si) => {
        const service = asRecord(s);
        const ref = get(service, 'serversTransport');
        if (!ref) return;
        // `name@kubernetescrd` or `namespace-name@...` from other providers: the plain name is looked up.
        const refName = String(ref.value).replace(/@.*$/, '');
        const transport = transports.get(`${namespace}/${refName}`);
        const line = doc.lineOf(['spec', 'routes', ri, 'services', si, ref.key]);
        const serviceName = String(service.name ?? si);
        sides.push({
          role: 'pool',
          name: `IngressRoute/${namespace}/${name}/${serviceName}`,
          label: `Traefik IngressRoute ${namespace}/${name} service ${serviceName}`,
          product: 'traefik',
          facts: transport
            ? transport.facts
            : [
                {
                  subject: 'pool-idle',
                  value: { type: 'unset' },
                  product: 'traefik',
                  setting: 'serversTransport',
                  provenance: { kind: 'file', file, line },
                  notes: [
                    `ServersTransport ${namespace}/${refName} is not in these manifests; read the file that defines it too`,
                  ],
                },
              ],
          targets: service.port === undefined ? [serviceName] : [`${serviceName}:${String(service.port)}`],
        });
      });
    });
  }
  return sides;
}
