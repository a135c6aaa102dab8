import { z } from 'zod';
import { verifySchema } from '../schemas.js';
import { cliArgs, defineTool } from '../tool.js';

const time = (what: string) =>
  z.string().optional().describe(`${what} (ISO 8601, e.g. 2026-01-31T10:00:00Z)`);
const interval = (what: string) =>
  z
    .string()
    .optional()
    .describe(`${what} as FROM/TO (ISO 8601), e.g. 2026-01-30T00:00:00Z/2026-01-31T00:00:00Z`);

export const verifyTool = defineTool({
  command: 'verify',
  title: 'Verify the fix: did the LB 502s go away?',
  description:
    "Step 4 of the playbook, after the fix is deployed: compares the LB-generated errors of the race's form (ALB/nginx 502, HAProxy response errors, Envoy upstream remote close) before the change with after it, from the same inputs as diagnose: metrics (prom:URL[#{selector}], cloudwatch:alb:NAME|ARN, cloudwatch:elb:NAME) and/or access logs, each source judged on its own. Returns per source the counts before and after, target 5xx and unhealthy-host periods, and the probability of seeing so few errors after had the old rate continued (exact binomial per request, else Poisson per minute). Verdict verified (exit 0: probability below 0.01 and under 10% of the expected errors remain), remains (exit 1: the fix did not work, or only partly), too-little-traffic or nothing-before (exit 2, isError with the report: it says how much traffic is needed; wait and call again). Give changeAt (the deploy time), or before and after windows. Metrics inputs call the Prometheus HTTP API or the CloudWatch API (read-only); logs are read twice (once per window), reporting progress; cancel to stop (no verdict then).",
  input: {
    inputs: z
      .array(z.string())
      .min(1)
      .describe(
        'metrics (prom:http://prometheus:9090#{job="haproxy"}, cloudwatch:alb:NAME, cloudwatch:elb:NAME) and/or log files, folders, globs, s3:// prefixes (relative to the server cwd)',
      ),
    changeAt: time('when the fix was deployed; before = [since, changeAt), after = [changeAt, until)'),
    since: time('start of the before-window (default: as far before changeAt as until is after it)'),
    until: time('end of the after-window (default: now)'),
    before: interval('the before-window explicitly (with after, instead of changeAt)'),
    after: interval('the after-window'),
    period: z.string().optional().describe('Prometheus step, e.g. 60s or 5m (default 60s)'),
    endpointUrl: z
      .string()
      .optional()
      .describe("AWS API endpoint for cloudwatch: inputs (default: the SDK's)"),
    format: z.string().optional().describe('force a log format id for every log input (default: detected)'),
    nginxLogFormat: z
      .string()
      .optional()
      .describe('the nginx log_format of an nginx access log (as for diagnose)'),
    jobs: z.number().int().min(1).max(256).optional().describe('worker threads for logs (default: cores)'),
  },
  output: verifySchema,
  annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: true },
  argv: (input) => cliArgs({ ...input, noProgress: true }, ['inputs']),
});
