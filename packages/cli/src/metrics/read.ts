import type { MetricsInput } from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { type MetricsSpec, type MetricsWindow, parseMetricsInput } from './inputs.js';

/** Reads every metrics input (one after another: each is a handful of API calls). */
export async function readMetrics(
  inputs: readonly string[],
  window: MetricsWindow,
  context: CliContext,
): Promise<MetricsInput[]> {
  const specs: MetricsSpec[] = inputs.map(parseMetricsInput);
  const out: MetricsInput[] = [];
  for (const spec of specs) {
    if (spec.kind === 'prom') {
      const { readPrometheus } = await import('./prom.js');
      out.push(await readPrometheus(spec, window, context.signal));
    } else {
      const { readCloudWatch } = await import('./cloudwatch.js');
      out.push(await readCloudWatch(spec, window, context));
    }
    context.onProgress?.(out.length, specs.length, `${inputs[out.length - 1]} read`);
  }
  return out;
}
