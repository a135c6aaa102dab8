import { z } from 'zod';
import { reportSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

const source = z
  .string()
  .describe(
    'a source kind:locator: 60s, runtime:NAME (knowledge-base default), env:VAR, alb:NAME, nginx:FILE[#UPSTREAM], haproxy:FILE, envoy:FILE, k8s:FILE, terraform:FILE, probe:URL, pcap:FILE (measured from a capture, see evidence), ...',
  );

export const checkTool = defineTool({
  command: 'check',
  title: 'Check the keep-alive rule on hops',
  description:
    'Step 3 of the playbook (both timeouts), and step 4 (verify a fix): checks on every hop (client pool → server) that server keep-alive >= client pool idle + margin, units normalised, with where each value came from (file:line, live API, probe, knowledge-base default) and both fixes. Use it once scope and logs point at the keep-alive race (see diagnose), or to verify a proposed fix by checking the new values before deploying it (after deploying: probe the backend, check against the live balancer, and the verify tool on metrics/logs shows whether the 502s went away). Give lb and backend in pairs, or a hops file. Verdict holds | violation | unknown (a value is missing/unverified: never read as "fine"). Reads files and env; alb:/elb: call the AWS API read-only; probe: opens connections.',
  input: {
    lb: z
      .array(source)
      .optional()
      .describe('client side (load balancer / proxy / client pool idle timeout), one per hop'),
    backend: z
      .array(source)
      .optional()
      .describe('server side (backend keep-alive), one per hop, same order as lb'),
    lbUnit: z.enum(['ms', 's', 'm', 'h']).optional().describe('unit of a bare number in lb'),
    backendUnit: z.enum(['ms', 's', 'm', 'h']).optional().describe('unit of a bare number in backend'),
    lbProduct: z
      .string()
      .optional()
      .describe('product a literal lb value belongs to (fixes are written for it)'),
    backendProduct: z.string().optional().describe('product a literal backend value belongs to'),
    backendEnv: z
      .string()
      .optional()
      .describe('env var a Node server reads keepAliveTimeout (ms) from, for cmd:/proc:/image:'),
    margin: z.string().optional().describe('required headroom, e.g. 5s (default 5s)'),
    hops: z.string().optional().describe('a YAML hops file (docs/hops-file.md), relative to the server cwd'),
    endpointUrl: z.string().optional().describe('AWS API endpoint for alb:/elb:'),
  },
  output: reportSchema,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
});
