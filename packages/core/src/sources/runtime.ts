import { KeepaliveParityError } from '../errors.js';
import { caveatFacts, defaultFact } from '../kb/index.js';
import { findProduct } from '../kb/products.js';
import type { ResolvedSide, SourceKindDefinition } from './types.js';

export const runtimeSource: SourceKindDefinition = {
  kind: 'runtime',
  roles: ['pool', 'server'],
  summary: 'A product default from the knowledge base, with its source URL: runtime:NAME[@VERSION]',
  example: '--backend runtime:gunicorn --lb runtime:aws-alb',
  async resolve(request): Promise<ResolvedSide[]> {
    const { locator, version } = request.spec;
    if (!request.allowDefault) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: ${request.spec.raw} is a knowledge-base default, not a configured value; give the configured value, or pass --allow-default`,
        { field: request.field },
      );
    }
    const product = findProduct(locator);
    if (product?.outOfScope) {
      // Nothing to read: the out-of-scope rule says why instead of guessing a value.
      return [{ label: product.name, product: product.id, facts: [], source: request.spec.raw }];
    }
    // Throws a clear error for an unknown product or a side it does not have.
    const fact = defaultFact(locator, request.role, version);
    const known = product!;
    const caveats = caveatFacts(locator);
    const label =
      request.role === 'pool' && known.kind !== 'http-client' ? `${known.name} upstream pool` : known.name;
    return [{ label, product: known.id, facts: [fact, ...caveats], source: request.spec.raw }];
  },
};
