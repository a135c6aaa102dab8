import { z } from 'zod';
import { defaultsSchema } from '../schemas.js';
import { cliArgs, defineTool } from '../tool.js';

export const defaultsTool = defineTool({
  command: 'defaults',
  title: 'Look up keep-alive / idle-timeout defaults',
  description:
    "Step 3 of the playbook when a value is not set anywhere: the knowledge base of product defaults (load balancers' upstream idle timeouts, servers' keep-alive, HTTP client pools) with setting name, unit, versions and source URL. UNVERIFIED entries are never used for a verdict. Use it to find the runtime:NAME id to pass to check, and to know which setting to change. Read-only, no I/O. Also a resource: keepalive-parity://defaults/{product}.",
  input: {
    product: z
      .string()
      .optional()
      .describe('a product id or alias (gunicorn, aws-alb, nginx, node) or part of a name'),
    products: z.boolean().optional().describe('list the product ids runtime:NAME accepts instead of entries'),
  },
  output: defaultsSchema,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  argv: (input) => cliArgs(input, ['product']),
});
