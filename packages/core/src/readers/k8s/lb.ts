import type { ReaderResult } from '../types.js';
import type { K8sManifests } from './index.js';

/** Load-balancer sides in Kubernetes manifests (filled in below). */
export function readK8sLoadBalancers(manifests: K8sManifests): ReaderResult {
  void manifests;
  return { sides: [], diagnostics: [] };
}
