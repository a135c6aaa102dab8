import { z } from 'zod';
import { scanSchema } from '../schemas.js';
import { cliArgs, defineTool } from '../tool.js';

export const scanTool = defineTool({
  command: 'scan',
  title: 'Scan a repository for hops',
  description:
    'Step 3 of the playbook when you have the code/infrastructure repository: walks a folder (respecting .gitignore), reads nginx/HAProxy configs, Kubernetes, Terraform, compose files, Dockerfiles and server configs, pairs each proxy/load-balancer pool with the backends it routes to, and checks every hop like check. Returns hops with file:line for every value, unpaired sides, and files it could not read. Read-only, local files only; seconds for a typical repository.',
  input: {
    path: z.string().optional().describe('the folder to scan (default: the server cwd)'),
    hops: z
      .string()
      .optional()
      .describe('a hops file naming more pairs (default PATH/keepalive-parity.yaml)'),
    margin: z.string().optional().describe('required headroom (default 5s)'),
    maxFiles: z.number().int().positive().optional().describe('stop after N files (default 50000)'),
  },
  output: scanSchema,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  argv: (input) => cliArgs(input, ['path']),
});
