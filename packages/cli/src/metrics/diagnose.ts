import { writeFile } from 'node:fs/promises';
import { combineVerdicts, diagnoseMetrics } from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { analyze } from '../diagnose/run.js';
import { EXIT_FOUND, EXIT_OK } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';
import { isMetricsInput, metricsWindow } from './inputs.js';
import { parsePeriod, withEndpoint } from './options.js';
import { progressPhases } from './progress.js';
import { readMetrics } from './read.js';
import { metricsDocument, renderMetrics } from './render.js';

/**
 * `diagnose` with metrics inputs (prom:, cloudwatch:), alone or mixed with log inputs: the logs go
 * through diagnose's own engine, the metrics through the metrics rules, and the verdicts combine.
 */
export async function diagnoseWithMetrics(
  options: {
    positionals: readonly string[];
    // biome-ignore lint/suspicious/noExplicitAny: diagnose's parsed option values
    values: Record<string, any>;
    sinceMs: number | undefined;
    untilMs: number | undefined;
    jobs: number | undefined;
  },
  context: CliContext,
): Promise<number> {
  const { positionals, values } = options;
  const metricInputs = positionals.filter(isMetricsInput);
  const logInputs = positionals.filter((p) => !isMetricsInput(p));
  const window = metricsWindow(options.sinceMs, options.untilMs, Date.now(), parsePeriod(values.period));
  const phase = progressPhases(context);
  const read = await readMetrics(
    metricInputs,
    window,
    withEndpoint(phase('metrics'), values['endpoint-url']),
  );
  const metrics = diagnoseMetrics(read);
  const logs =
    logInputs.length > 0
      ? await analyze(
          {
            inputs: logInputs,
            formatOptions: {
              forcedFormat: values.format,
              nginxLogFormat: values['nginx-log-format'],
              envoyLogFormat: values['envoy-log-format'],
            },
            window: { sinceMs: options.sinceMs, untilMs: options.untilMs },
            jobs: options.jobs,
            progress: !values['no-progress'],
          },
          phase('logs'),
        )
      : null;
  const verdict = logs ? combineVerdicts([logs.diagnosis.verdict, metrics.verdict]) : metrics.verdict;
  if (values.html !== undefined) {
    const { appendMetricsHtml, renderMetricsHtml } = await import('./html.js');
    const generatedAt = new Date().toISOString();
    let page: string;
    if (logs) {
      const { renderHtml } = await import('../diagnose/html.js');
      page = appendMetricsHtml(renderHtml(logs.diagnosis, logs.inputs, generatedAt), metrics, read);
    } else page = renderMetricsHtml(metrics, read, generatedAt);
    await writeFile(values.html, page);
  }
  if (values.json) {
    writeJson(context.stdout, {
      command: 'diagnose',
      ...(logs ? { interrupted: logs.interrupted, inputs: logs.inputs, ...logs.diagnosis } : {}),
      verdict,
      ...(logs ? { logVerdict: logs.diagnosis.verdict } : {}),
      metrics: metricsDocument(metrics, read),
    });
  } else {
    const c = palette(context.color);
    if (logs) {
      const { renderDiagnosis } = await import('../diagnose/render.js');
      context.stdout.write(renderDiagnosis(logs.diagnosis, logs.inputs, c, logs.interrupted));
      context.stdout.write('\n');
    }
    context.stdout.write(renderMetrics(metrics, read, c));
    if (logs) context.stdout.write(`\ncombined verdict (logs and metrics): ${verdict}\n`);
    if (values.html !== undefined) context.stdout.write(`HTML report: ${values.html}\n`);
  }
  return verdict === 'keepalive-race' ? EXIT_FOUND : EXIT_OK;
}
