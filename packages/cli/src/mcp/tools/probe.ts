import { z } from 'zod';
import { probeSchema } from '../schemas.js';
import { cliArgs, defineTool } from '../tool.js';

export const probeTool = defineTool({
  command: 'probe',
  title: "Measure a live server's idle keep-alive close",
  description:
    "Step 3 of the playbook (read the deployed value, not the source default) and step 4 (verify the fix on the running service): opens one HTTP/1.1 connection at a time, sends one request and times the server's idle close to the millisecond (FIN or RST), compared with its advertised Keep-Alive header. Direct to a backend it measures the backend keep-alive; through a load balancer (through: lb) the balancer's client-side idle timeout. Takes about samples × the server's keep-alive (e.g. 3 × 5 s), at most maxWait per sample; reports progress per sample; cancel to stop (its sockets are closed). Opens network connections to the URL you give.",
  input: {
    url: z.string().describe('http:// or https:// URL of the server (a cheap GET/HEAD path like /healthz)'),
    samples: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('samples, one fresh connection each (default 3)'),
    maxWait: z.string().optional().describe('stop waiting for a close after this long (default 10m)'),
    method: z.enum(['GET', 'HEAD']).optional(),
    header: z.array(z.string()).optional().describe('extra request headers "Name: value" (never echoed)'),
    insecure: z.boolean().optional().describe('skip TLS certificate verification'),
    through: z
      .enum(['direct', 'lb'])
      .optional()
      .describe('what sits between you and the server (default direct)'),
    maxRequests: z.boolean().optional().describe('also count how many requests one connection serves'),
    reuseAfter: z
      .string()
      .optional()
      .describe('send a second request after this idle gap and report served/reset/lost'),
    reuseSweep: z.string().optional().describe('locate the close between two gaps, e.g. 1900ms..2100ms'),
  },
  output: probeSchema,
  annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: true },
  argv: (input) => cliArgs(input, ['url']),
});
