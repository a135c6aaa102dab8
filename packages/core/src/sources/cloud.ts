import { KeepaliveParityError } from '../errors.js';
import { caveatFacts, defaultFact } from '../kb/index.js';
import { findProduct, PRODUCTS, type TimeoutSetting } from '../kb/products.js';
import type { ResolvedSide, SourceKindDefinition } from './types.js';

/** A platform value nobody can change (GCP's 600 s, Cloudflare's 900 s): a fact, not a default. */
export function isFixedSetting(setting: TimeoutSetting): boolean {
  return /fixed|not configurable|not a self-serve/i.test(`${setting.setting} ${setting.fix}`);
}

function cloudProducts(): string[] {
  return PRODUCTS.filter((p) => p.kind === 'load-balancer' || p.kind === 'cdn').map((p) => p.id);
}

/**
 * `cloud:NAME[@VERSION]`: a managed load balancer or CDN whose value is fixed by the platform
 * (`cloud:gcp` 600 s, `cloud:cloudflare` 900 s), from the knowledge base with its source URL.
 * A fixed value is a fact (no `--allow-default` needed in `assert`); a configurable product's
 * default (`cloud:cloudfront`) is a default like `runtime:` and needs `--allow-default`.
 */
export const cloudSource: SourceKindDefinition = {
  kind: 'cloud',
  roles: ['pool', 'server'],
  summary:
    'A managed load balancer or CDN with a platform-fixed value from the knowledge base: cloud:gcp, cloud:cloudflare',
  example: '--lb cloud:gcp --backend runtime:gunicorn',
  async resolve(request): Promise<ResolvedSide[]> {
    const { locator, version } = request.spec;
    const product = findProduct(locator);
    if (!product || !(product.kind === 'load-balancer' || product.kind === 'cdn')) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_INVALID',
        `${request.field}: ${JSON.stringify(locator)} is not a managed load balancer or CDN; known: ${cloudProducts().join(', ')}`,
        { field: request.field },
      );
    }
    const setting = request.role === 'pool' ? product.pool : product.server;
    const fact = defaultFact(product.id, request.role, version);
    const fixed = setting !== undefined && isFixedSetting(setting);
    if (!fixed && !request.allowDefault) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: ${request.spec.raw}: ${product.name} ${setting?.setting ?? 'value'} is configurable, so its default is not a configured value; give the configured value (alb:NAME reads AWS live), or pass --allow-default`,
        { field: request.field },
      );
    }
    const facts = [
      fixed
        ? {
            ...fact,
            isDefault: false,
            notes: [...(fact.notes ?? []), `fixed by the platform: ${setting!.fix}`],
          }
        : fact,
      ...caveatFacts(product.id),
    ];
    const label = request.role === 'pool' ? `${product.name} (to its backends)` : product.name;
    return [{ label, product: product.id, facts, source: request.spec.raw }];
  },
};
