import { isTraefikCrd, readTraefikCrds } from '../traefik/crd.js';
import type { ReaderDiagnostic, ReaderResult } from '../types.js';
import type { K8sManifests } from './index.js';

/** Traefik's custom resources (ServersTransport, IngressRoute) in a `k8s:` source: read as `traefik:` reads them. */
export function readK8sTraefik(manifests: K8sManifests): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const docs = manifests.objects
    .filter((o) => isTraefikCrd(o.value))
    .map((o) => ({
      doc: { value: o.value, lineOf: (path: (string | number)[]) => o.lineOf(path) },
      file: o.file,
    }));
  return { sides: readTraefikCrds(docs, diagnostics), diagnostics };
}
