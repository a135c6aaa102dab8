import { findProduct } from '../kb/products.js';
import type { Rule } from './context.js';

/** Products for which this race does not apply (an L4 balancer): say so rather than guess. */
export const outOfScope: Rule = {
  id: 'out-of-scope',
  severity: 'note',
  title: 'This hop is outside the keep-alive race (L4 balancer, HTTP/2 or gRPC upstream)',
  check({ hop }) {
    return [hop.client, hop.server]
      .map((side) => ({ side, product: side.product ? findProduct(side.product) : undefined }))
      .filter(({ product }) => product?.outOfScope)
      .map(({ side, product }) => ({
        id: 'out-of-scope' as const,
        severity: 'note' as const,
        hopIndex: hop.index,
        numbers: {},
        facts: [],
        details: {
          product: product!.name,
          reason: product!.outOfScope!,
          side: side === hop.client ? 'client' : 'server',
        },
      }));
  },
};
