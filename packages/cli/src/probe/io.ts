import type { ProbeMeasurement, ProbeOptions } from '@keepalive-parity/core/engine';
import type { CliContext } from '../context.js';

/** The `io.probe` behind the `probe:URL` source: runs the probe and reduces it to a measurement. */
export function probeIo(context: CliContext): Record<string, unknown> {
  return {
    probe: async (url: string, options: ProbeOptions): Promise<ProbeMeasurement> => {
      // Loaded when a probe: source is used, not at start-up (see commands/index.ts).
      const [{ DEFAULT_MAX_WAIT_MS, DEFAULT_SAMPLES, runProbe }, { formatMs }] = await Promise.all([
        import('./run.js'),
        import('./render.js'),
      ]);
      context.stderr.write(`probe: measuring ${url} (${options.samples ?? DEFAULT_SAMPLES} samples)\n`);
      const report = await runProbe({
        url,
        through: options.through,
        samples: options.samples ?? DEFAULT_SAMPLES,
        signal: context.signal,
        onSample: (sample, index) => {
          context.stderr.write(
            `probe: sample ${index + 1}: ${sample.closeKind}${sample.idleCloseMs === null ? '' : ` after ${formatMs(sample.idleCloseMs)}`}\n`,
          );
        },
      });
      const neverClosed =
        report.samples.length > 0 && report.samples.every((sample) => sample.closeKind === 'timeout');
      return {
        url: report.url,
        measuredAt: report.finishedAt,
        samples: report.samples.length,
        medianMs: report.summary?.medianMs ?? null,
        keepAlive: report.keepAlive,
        ...(neverClosed ? { openForAtLeastMs: DEFAULT_MAX_WAIT_MS } : {}),
        protocol: report.protocol,
        advertisedTimeoutSeconds: report.advertised.timeoutSeconds,
        ...(report.error && report.error.code !== 'http2-only' ? { error: report.error.message } : {}),
        ...(report.interrupted ? { error: 'interrupted' } : {}),
      };
    },
  };
}
