import { z } from 'zod';
import { labSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

const duration = z.string();

export const labTool = defineTool({
  command: 'lab',
  title: 'Reproduce the race on 127.0.0.1',
  description:
    "Optional proof (the playbook's minimal reproducible example): starts a backend and a real reverse proxy (nginx, haproxy, apache, caddy or an embedded Node proxy) on 127.0.0.1 only, ephemeral ports, and runs four scenarios: mismatch (502s with no handler call), fixed (no 502), retry-get (retry hides it), retry-post (a POST is not retried). Use it to show a team the mechanism and that the fix and the retry boundary work; it does not touch the user's systems. Takes about 5-10 s by default (6 s with nginx, 7.6 s with the embedded proxy, measured on 2 busy cores; natural mode: up to a few minutes; the timeout bounds it); reports progress per step; cancel to stop every process it started.",
  input: {
    proxy: z
      .enum(['nginx', 'haproxy', 'apache', 'caddy', 'node'])
      .optional()
      .describe('default: nginx when installed, else node'),
    natural: z
      .boolean()
      .optional()
      .describe('no widening of the race window: a sweep of gaps around the real close (slower)'),
    backendKeepalive: duration
      .optional()
      .describe('backend keep-alive in the mismatch scenario (default 1s)'),
    proxyIdle: duration.optional().describe('proxy upstream idle timeout (default 10s)'),
    window: duration.optional(),
    attempts: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('requests per scenario (default 3; natural 16)'),
    timeout: duration.optional().describe('wall-time limit of the whole run (default 60s; natural 300s)'),
    scenario: z.array(z.enum(['mismatch', 'fixed', 'retry-get', 'retry-post'])).optional(),
    margin: duration.optional().describe('margin of the fixed scenario (default 5s)'),
  },
  output: labSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
});
