import type { Duration } from '../duration/duration.js';
import { type DurationSyntax, type DurationUnit, parseDuration } from '../duration/syntaxes.js';
import type { Fact, Provenance } from '../facts.js';
import { findProduct } from '../kb/products.js';
import type { ResolvedSide, SourceKindDefinition, SourceRequest } from './types.js';

const BARE_UNIT: Partial<Record<DurationSyntax, DurationUnit>> = {
  'integer-seconds': 's',
  'integer-milliseconds': 'ms',
  apache: 's',
};

export function defaultLabel(request: SourceRequest): string {
  const product = request.product ? findProduct(request.product) : undefined;
  if (product) return product.name;
  return request.role === 'pool' ? 'load balancer' : 'backend';
}

/**
 * Turns a duration text from the command line, an env var or a hops file into a fact.
 * With a product and no unit, a bare number is read in the product's own unit (`65` for
 * gunicorn is seconds); otherwise a bare number needs an explicit unit.
 */
export function valueFact(text: string, request: SourceRequest, provenance: Provenance): Fact {
  const product = request.product ? findProduct(request.product) : undefined;
  const setting = request.role === 'pool' ? product?.pool : product?.server;
  const location = { field: request.field };
  let duration: Duration;
  if (request.unit) {
    duration = parseDuration(text, { syntax: 'plain', defaultUnit: request.unit, location });
  } else if (setting && /^\s*\d+\s*$/.test(text) && BARE_UNIT[setting.syntax]) {
    duration = parseDuration(text, { syntax: 'plain', defaultUnit: BARE_UNIT[setting.syntax], location });
  } else {
    duration = parseDuration(text, { syntax: 'plain', location });
  }
  const unit =
    request.unit === 'ms' || (!request.unit && setting?.unit === 'milliseconds' && /^\s*\d+\s*$/.test(text))
      ? 'milliseconds'
      : request.unit === 's' || (!request.unit && setting?.unit === 'seconds' && /^\s*\d+\s*$/.test(text))
        ? 'seconds'
        : undefined;
  return {
    subject: request.role === 'pool' ? 'pool-idle' : 'server-keepalive',
    value: { type: 'duration', ms: duration.ms, text: duration.text },
    product: product?.id,
    setting: setting?.setting,
    unit,
    provenance,
  };
}

export const valueSource: SourceKindDefinition = {
  kind: 'value',
  roles: ['pool', 'server'],
  summary: 'A literal duration: 60s, 1500ms, 2m, or a bare number with --lb-unit/--backend-unit',
  example: '--lb 60s --backend value:65s',
  async resolve(request): Promise<ResolvedSide[]> {
    const text = request.spec.locator;
    const fact = valueFact(text, request, { kind: 'command-line', flag: request.field, text });
    return [{ label: defaultLabel(request), product: fact.product, facts: [fact], source: request.spec.raw }];
  },
};
