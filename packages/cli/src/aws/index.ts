import type { CliContext } from '../context.js';
import { describeClassicElbs } from './elb-classic.js';
import { describeAlbs } from './elbv2.js';

/**
 * The live AWS I/O behind `alb:` (and `elb:`), registered in io.ts `sourceIoExtensions`. The SDK is
 * imported lazily, only when such a source is used.
 */
export function awsIo(context: CliContext): Record<string, unknown> {
  return {
    describeAlbs: (locator: string) => describeAlbs(locator, context),
    describeClassicElbs: (locator: string) => describeClassicElbs(locator, context),
  };
}
