import { KeepaliveParityError } from '@keepalive-parity/core';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { parseTime } from './diagnose.js';

const OPTIONS = {
  'change-at': { type: 'string' },
  before: { type: 'string' },
  after: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  period: { type: 'string' },
  'endpoint-url': { type: 'string' },
  format: { type: 'string' },
  'nginx-log-format': { type: 'string' },
  'envoy-log-format': { type: 'string' },
  jobs: { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
} as const;

/** `FROM/TO` (ISO 8601 interval) → [fromMs, untilMs). */
function parseInterval(flag: string, text: string): [number, number] {
  const [from, to, extra] = text.split('/');
  const fromMs = parseTime(flag, from);
  const toMs = parseTime(flag, to);
  if (fromMs === undefined || toMs === undefined || extra !== undefined || fromMs >= toMs) {
    throw new KeepaliveParityError(
      'KAP_USAGE',
      `${flag} must be FROM/TO with FROM before TO (ISO 8601), got ${JSON.stringify(text)}`,
      {
        field: flag,
      },
    );
  }
  return [fromMs, toMs];
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Did the LB 502s go away after the fix? Before/after windows from metrics and/or logs',
  help: `Usage: keepalive-parity verify --change-at TIME [--since T] [--until T] INPUT...
       keepalive-parity verify --before FROM/TO --after FROM/TO INPUT...

Compares the LB-generated errors of the race's form (ALB/nginx 502, HAProxy response errors, Envoy
remote close with an active request) before a change with after it, from the same inputs as
diagnose: metrics (prom:URL[#{selector}], cloudwatch:alb:NAME|ARN, cloudwatch:elb:NAME), logs, or
both (each source is judged on its own). It states the probability of seeing the after-window's
count had the old rate continued: an exact binomial tail per request when request counts are known,
else an exact Poisson tail per minute. Target 5xx and host health before and after are shown next
to it. Verified means that probability is below 0.01 and fewer than 10% of the expected errors
remain.

Options:
  --change-at TIME          the change (ISO 8601); before = [--since, TIME), after = [TIME, --until)
  --since, --until TIME     default: --until now, --since as far before the change as --until is after
  --before FROM/TO          the before-window explicitly (with --after instead of --change-at)
  --after FROM/TO           the after-window
  --period 60s|5m           Prometheus step (default 60s)
  --endpoint-url URL        AWS API endpoint for cloudwatch:
  --format ID, --nginx-log-format 'FMT', --envoy-log-format 'FMT', --jobs N   as for diagnose
  --json                    one JSON document on stdout (schemaVersion, verdict, sources)

Exit codes: 0 verified (the errors went away), 1 errors remain at a rate the old one explains (or
only partly went away), 2 too little traffic after the change to decide (it says how much is needed),
no errors before the change, or a usage/input error.

Examples:
  keepalive-parity verify --change-at 2026-01-31T10:00:00Z 'prom:http://prometheus:9090#{job="haproxy"}'
  keepalive-parity verify --change-at 2026-01-31T10:00:00Z --since 2026-01-30T10:00:00Z cloudwatch:alb:my-alb
  keepalive-parity verify --before 2026-01-30/2026-01-31 --after 2026-02-01/2026-02-02 cloudwatch:elb:my-classic-elb
  keepalive-parity verify --change-at 2026-01-31T10:00:00Z /var/log/nginx/access.log \\
    --nginx-log-format '$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status $upstream_connect_time $request_time'
`,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs('verify', args, OPTIONS, true);
    if (positionals.length === 0) {
      throw new KeepaliveParityError(
        'KAP_USAGE',
        'verify: give at least one INPUT (metrics or logs; see --help)',
      );
    }
    let before: [number, number];
    let after: [number, number];
    if (values['change-at'] !== undefined) {
      if (values.before !== undefined || values.after !== undefined) {
        throw new KeepaliveParityError(
          'KAP_USAGE',
          'verify: give --change-at or --before/--after, not both',
          { field: '--change-at' },
        );
      }
      const change = parseTime('--change-at', values['change-at'])!;
      const until = parseTime('--until', values.until) ?? Date.now();
      const since = parseTime('--since', values.since) ?? change - (until - change);
      if (!(since < change && change < until)) {
        throw new KeepaliveParityError('KAP_USAGE', 'verify: --since < --change-at < --until must hold', {
          field: '--change-at',
        });
      }
      before = [since, change];
      after = [change, until];
    } else if (values.before !== undefined && values.after !== undefined) {
      before = parseInterval('--before', values.before);
      after = parseInterval('--after', values.after);
      if (before[1] > after[0]) {
        throw new KeepaliveParityError(
          'KAP_USAGE',
          'verify: the --before window must end before the --after window starts',
          {
            field: '--before',
          },
        );
      }
    } else {
      throw new KeepaliveParityError(
        'KAP_USAGE',
        'verify: give --change-at TIME, or --before FROM/TO and --after FROM/TO',
        {
          field: '--change-at',
        },
      );
    }
    const { runVerify } = await import('../metrics/verify.js');
    return runVerify({ positionals, values, before, after }, context);
  },
};
