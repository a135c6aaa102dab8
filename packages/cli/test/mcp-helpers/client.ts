import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from '../cli-helpers.js';

export interface McpSession {
  readonly client: Client;
  /** The server process's PID (the built CLI, `keepalive-parity mcp`). */
  readonly pid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns the built CLI's MCP server over stdio with the SDK's own client, as an MCP client would. */
export async function startMcp(cwd?: string, env: NodeJS.ProcessEnv = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    env: { ...process.env, ...env, NO_COLOR: '1' } as Record<string, string>,
    ...(cwd ? { cwd } : {}),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'keepalive-parity-tests', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error('MCP server did not start');
  return { client, pid, stderr: () => stderr, close: () => client.close() };
}

/** PIDs of a process's children (Linux /proc), to show that nothing was left running. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended while listing
    }
  }
  return children;
}
