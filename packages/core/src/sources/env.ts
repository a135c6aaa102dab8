import { KeepaliveParityError } from '../errors.js';
import type { ResolvedSide, SourceKindDefinition } from './types.js';
import { defaultLabel, valueFact } from './value.js';

export const envSource: SourceKindDefinition = {
  kind: 'env',
  roles: ['pool', 'server'],
  summary: 'An environment variable holding a duration (state the unit of a bare number with --backend-unit)',
  example: '--backend env:KEEP_ALIVE_TIMEOUT --backend-unit ms',
  async resolve(request, io): Promise<ResolvedSide[]> {
    const name = request.spec.locator;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_INVALID',
        `${request.field}: ${JSON.stringify(name)} is not an environment variable name`,
        {
          field: request.field,
        },
      );
    }
    if (!io.getEnv)
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        'environment variables are not available here',
      );
    const text = io.getEnv(name);
    if (text === undefined) {
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `${request.field}: environment variable ${name} is not set`,
        {
          field: request.field,
        },
      );
    }
    const fact = valueFact(
      text,
      { ...request, field: `${request.field} (env ${name})` },
      { kind: 'env', variable: name },
    );
    return [{ label: defaultLabel(request), product: fact.product, facts: [fact], source: request.spec.raw }];
  },
};
