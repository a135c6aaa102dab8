import {
  KeepaliveParityError,
  metricsRows,
  summarizeWindow,
  type VerifyOutcome,
  type VerifyResult,
  type VerifyWindowSummary,
  verifyWindows,
} from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { analyze } from '../diagnose/run.js';
import { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { palette } from '../render/color.js';
import { writeJson } from '../render/json.js';
import { isMetricsInput, metricsWindow } from './inputs.js';
import { parsePeriod, withEndpoint } from './options.js';
import { progressPhases } from './progress.js';
import { readMetrics } from './read.js';

/** `verify`: the same inputs as diagnose, read for the before- and the after-window, judged per source. */

interface SourceResult {
  readonly source: 'metrics' | 'logs';
  readonly inputs: readonly string[];
  readonly result: VerifyResult;
}

const SEVERITY: Record<VerifyOutcome, number> = {
  verified: 0,
  'too-little-traffic': 1,
  'nothing-before': 1,
  remains: 2,
};

export async function runVerify(
  options: {
    positionals: readonly string[];
    // biome-ignore lint/suspicious/noExplicitAny: verify's parsed option values
    values: Record<string, any>;
    before: [number, number];
    after: [number, number];
  },
  context: CliContext,
): Promise<number> {
  const { positionals, values, before, after } = options;
  const metricInputs = positionals.filter(isMetricsInput);
  const logInputs = positionals.filter((p) => !isMetricsInput(p));
  const results: SourceResult[] = [];
  const phase = progressPhases(context);
  if (metricInputs.length > 0) {
    const window = metricsWindow(before[0], after[1], Date.now(), parsePeriod(values.period));
    const read = await readMetrics(
      metricInputs,
      window,
      withEndpoint(phase('metrics'), values['endpoint-url']),
    );
    const rows = metricsRows(read);
    const periodMs = Math.max(...read.map((i) => i.periodMs));
    results.push({
      source: 'metrics',
      inputs: metricInputs,
      result: verifyWindows(
        summarizeWindow(rows, before[0], before[1], periodMs),
        summarizeWindow(rows, after[0], after[1], periodMs),
        periodMs,
      ),
    });
  }
  if (logInputs.length > 0) {
    const jobs = values.jobs !== undefined ? Number(values.jobs) : undefined;
    const summarize = async (
      label: string,
      [fromMs, untilMs]: [number, number],
    ): Promise<VerifyWindowSummary> => {
      const { diagnosis } = await analyze(
        {
          inputs: logInputs,
          formatOptions: {
            forcedFormat: values.format,
            nginxLogFormat: values['nginx-log-format'],
            envoyLogFormat: values['envoy-log-format'],
          },
          window: { sinceMs: fromMs, untilMs },
          jobs,
          progress: !values['no-progress'],
        },
        phase(`logs, ${label} window`),
      );
      return {
        fromMs,
        untilMs,
        periods: Math.max(1, Math.round((untilMs - fromMs) / 60_000)),
        requests: diagnosis.requests,
        raceErrors: diagnosis.totals.raceCandidates,
        target5xx: diagnosis.totals.target5xx,
        degradedPeriods: 0,
      };
    };
    const b = await summarize('before', before);
    const a = await summarize('after', after);
    results.push({ source: 'logs', inputs: logInputs, result: verifyWindows(b, a, 60_000) });
  }
  // A verdict needs every input read to its end (Ctrl-C, an MCP cancellation).
  if (context.signal.aborted) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      'verify: interrupted before every input was read; no verdict',
    );
  }
  const worst = results.reduce(
    (w, r) => (SEVERITY[r.result.outcome] > SEVERITY[w] ? r.result.outcome : w),
    'verified' as VerifyOutcome,
  );
  const verdict: VerifyOutcome = results.some((r) => r.result.outcome === 'remains') ? 'remains' : worst;
  const iso = (ms: number) => new Date(ms).toISOString();
  if (values.json) {
    writeJson(context.stdout, {
      command: 'verify',
      verdict,
      before: { from: iso(before[0]), until: iso(before[1]) },
      after: { from: iso(after[0]), until: iso(after[1]) },
      sources: results,
    });
  } else {
    const c = palette(context.color);
    const out: string[] = [
      `${c.bold('verify')}: before ${iso(before[0])} to ${iso(before[1])}, after ${iso(after[0])} to ${iso(after[1])}`,
    ];
    const count = (s: VerifyWindowSummary) =>
      `${s.raceErrors} LB errors of the race's form${s.requests !== null ? ` in ${s.requests} requests` : ''} (${s.periods} periods)${s.target5xx !== null ? `, ${s.target5xx} target 5xx` : ''}${s.degradedPeriods ? `, ${s.degradedPeriods} periods with unhealthy hosts` : ''}`;
    for (const r of results) {
      out.push('', c.bold(`${r.source}: ${r.inputs.join(' ')}`));
      out.push(`  before: ${count(r.result.before)}`, `  after:  ${count(r.result.after)}`);
      const colour =
        r.result.outcome === 'verified' ? c.green : r.result.outcome === 'remains' ? c.red : c.yellow;
      out.push(colour(`  ${r.result.statement}`));
      for (const n of r.result.notes) out.push(c.dim(`  ${n}`));
    }
    const text: Record<VerifyOutcome, string> = {
      verified: 'VERIFIED: the LB errors went away after the change',
      remains: 'NOT VERIFIED: the errors remain',
      'too-little-traffic': 'UNDECIDED: too little traffic after the change',
      'nothing-before': 'UNDECIDED: no errors before the change',
    };
    out.push('', c.bold(text[verdict]));
    context.stdout.write(`${out.join('\n')}\n`);
  }
  return verdict === 'verified' ? EXIT_OK : verdict === 'remains' ? EXIT_FOUND : EXIT_USAGE;
}
