import type { CliContext } from '../context.js';

/**
 * The live AWS I/O behind `alb:` (and `elb:`), registered in io.ts `sourceIoExtensions`. The SDK is
 * imported lazily, only when such a source is used.
 */
export function awsIo(context: CliContext): Record<string, unknown> {
  return {
    // Their modules load on first use too: `check` with other sources never needs them.
    describeAlbs: async (locator: string) => (await import('./elbv2.js')).describeAlbs(locator, context),
    describeClassicElbs: async (locator: string) =>
      (await import('./elb-classic.js')).describeClassicElbs(locator, context),
  };
}
