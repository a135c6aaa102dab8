import {
  evaluate,
  findingMessage,
  formatDuration,
  KeepaliveParityError,
} from '@keepalive-parity/core/engine';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_FOUND, EXIT_OK } from '../exit-codes.js';
import { outputFormat } from '../render/formats/index.js';
import { writeJson } from '../render/json.js';
import { reportDocument } from '../render/report.js';
import { HOP_OPTIONS, hopsFromFlags } from './hop-flags.js';

export const assertCommand: Command = {
  name: 'assert',
  summary: 'Build/deploy-time guard: fail unless every hop holds; missing values are errors',
  help: `Usage: keepalive-parity assert --backend VALUE [--backend-unit s|ms] --lb SOURCE [--margin D]

The guard for a Dockerfile, CI step or deploy pipeline: the same engine as check, with terse output.
A missing, empty, non-numeric or negative value, or a bare number whose unit was not stated, is an
input error (exit 2). A knowledge-base default (runtime:NAME) is refused unless --allow-default.

Options: as for check (--lb, --backend, --lb-unit, --backend-unit, --lb-product, --backend-product,
--margin, --hops, --json, --format text|json|sarif|junit|github), plus
  --allow-default           accept knowledge-base defaults (runtime:NAME) as values

Exit codes: 0 holds, 1 too low (violation), 2 missing or invalid value, usage error, or a hop that
cannot be decided.

Examples:
  # Dockerfile / CI: the image's keep-alive against the ALB's 60 s idle timeout
  keepalive-parity assert --backend "$KEEP_ALIVE_TIMEOUT" --backend-unit s --lb 60s --margin 5s
  # a Node service whose env var is in milliseconds
  keepalive-parity assert --backend env:KEEP_ALIVE_TIMEOUT --backend-unit ms --lb 60s
  # deploy time: against the live ALB's idle timeout (AWS credential chain; --endpoint-url URL)
  keepalive-parity assert --lb alb:my-alb --backend 75s
`,
  async run(args, context) {
    const { values } = parseCommandArgs('assert', args, HOP_OPTIONS);
    const format = outputFormat('assert', values);
    if ((values.backend ?? []).length === 0 && values.hops === undefined)
      throw usageError('assert: --backend is missing');
    if ((values.lb ?? []).length === 0 && values.hops === undefined)
      throw usageError('assert: --lb is missing');
    const hops = await hopsFromFlags('assert', values, context, values['allow-default'] === true);
    const evaluation = evaluate(hops);
    // A machine format goes to stdout (before a hop that cannot be decided fails the run, exit 2);
    // the terse lines then go to stderr.
    if (format.kind === 'json') writeJson(context.stdout, reportDocument(evaluation, 'assert'));
    else if (format.kind === 'renderer')
      context.stdout.write(
        (await format.renderer.load()).render({
          command: 'assert',
          evaluation,
          baseDir: context.cwd,
          cwd: context.cwd,
        }),
      );
    const lines: string[] = [];
    for (const hop of evaluation.hops) {
      const prefix = evaluation.hops.length > 1 ? `hop ${hop.hop.index + 1} (${hop.hop.name}): ` : '';
      if (hop.verdict === 'unknown') {
        const reasons = hop.findings
          .filter((f) => f.id === 'value-unknown' || f.id === 'out-of-scope' || f.id === 'config-unreadable')
          .map((f) => findingMessage(f, hop.hop));
        throw new KeepaliveParityError('KAP_INPUT_INVALID', `${prefix}cannot decide: ${reasons.join('; ')}`);
      }
      const errors = hop.findings.filter((f) => f.severity === 'error');
      if (errors.length === 0) {
        const headroom = hop.headroomMs === null ? '' : ` (headroom ${formatDuration(hop.headroomMs)})`;
        lines.push(
          hop.serverKeepAliveMs !== null && hop.requiredMs !== null
            ? `ok: ${prefix}${hop.hop.server.label} keep-alive ${formatDuration(hop.serverKeepAliveMs)} >= ${hop.hop.client.label} idle ${formatDuration(hop.clientIdleMs!)} + margin ${formatDuration(hop.hop.marginMs)}${headroom}`
            : `ok: ${prefix}${hop.findings.map((f) => findingMessage(f, hop.hop)).join('; ')}`,
        );
      } else {
        for (const error of errors) {
          const fixes = (error.fixes ?? []).filter((f) => f.possible).map((f) => f.text);
          lines.push(
            `FAIL: ${prefix}${findingMessage(error, hop.hop)}${fixes.length ? `. Fix: ${fixes.join('  OR  ')}` : ''}`,
          );
        }
      }
    }
    if (format.kind === 'text') context.stdout.write(`${lines.join('\n')}\n`);
    else context.stderr.write(`${lines.join('\n')}\n`);
    return evaluation.verdict === 'violation' ? EXIT_FOUND : EXIT_OK;
  },
};
