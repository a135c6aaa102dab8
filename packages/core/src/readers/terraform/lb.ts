import type { ReaderResult } from '../types.js';
import type { TerraformDocuments } from './index.js';

/** Load-balancer sides in Terraform (filled in below). */
export function readTerraformLoadBalancers(documents: TerraformDocuments): ReaderResult {
  void documents;
  return { sides: [], diagnostics: [] };
}
