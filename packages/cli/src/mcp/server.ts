import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { type AnyToolDeclaration, cliArgs, runCommand, type ToolOutcome } from './tool.js';
import { TOOLS } from './tools/index.js';

const EXIT_MEANING: Record<number, string> = {
  0: 'holds / nothing found',
  1: 'violation or race found',
  2: 'usage or input error, or a verdict that cannot be decided',
};

/**
 * A tool result from a command's outcome. Exit 2 (usage or input error, or a hop that cannot be
 * judged) is an `isError` result with the CLI's own message; a report, when the command printed
 * one, is still attached as `structuredContent`.
 */
export function toolResult(name: string, outcome: ToolOutcome): CallToolResult {
  if (outcome.error !== undefined) return { isError: true, content: [{ type: 'text', text: outcome.error }] };
  if (outcome.report === undefined) {
    const text = outcome.stderr.trim() || `${TOOL_NAME} ${name}: no report (exit ${outcome.exitCode})`;
    return { isError: true, content: [{ type: 'text', text }] };
  }
  const reportError = (outcome.report.error as { message?: string } | undefined)?.message;
  const summary = `${TOOL_NAME} ${name}: exit ${outcome.exitCode} (${EXIT_MEANING[outcome.exitCode] ?? 'unknown'})${
    'verdict' in outcome.report ? `, verdict ${String(outcome.report.verdict)}` : ''
  }${reportError ? `: ${reportError}` : ''}`;
  return {
    isError: outcome.exitCode === 2,
    content: [
      { type: 'text', text: summary },
      { type: 'text', text: JSON.stringify(outcome.report) },
    ],
    structuredContent: outcome.report,
  };
}

export function registerTool(
  server: McpServer,
  tool: AnyToolDeclaration,
  env: NodeJS.ProcessEnv,
  cwd: string,
): void {
  server.registerTool(
    tool.command,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (
      input: Record<string, unknown>,
      extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
    ): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      // Sent notifications are written before the result, then one turn of the event loop passes:
      // the SDK's client handles a notification a microtask later than a response read in the same
      // chunk, and drops progress for a request that has already been answered.
      const sent: Promise<void>[] = [];
      const progress =
        progressToken === undefined
          ? undefined
          : (done: number, total: number | undefined, message: string) => {
              sent.push(
                extra
                  .sendNotification({
                    method: 'notifications/progress',
                    params: {
                      progressToken,
                      progress: done,
                      ...(total !== undefined ? { total } : {}),
                      message,
                    },
                  })
                  .catch(() => {}),
              );
            };
      try {
        const argv = tool.argv ? tool.argv(input) : cliArgs(input);
        const outcome = await runCommand(tool.command, argv, { signal: extra.signal, env, cwd, progress });
        if (sent.length > 0) {
          await Promise.all(sent);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return toolResult(tool.command, outcome);
      } catch (error) {
        return {
          isError: true,
          content: [
            {
              type: 'text',
              text: `${TOOL_NAME} ${tool.command}: internal error: ${(error as Error)?.message ?? String(error)}`,
            },
          ],
        };
      }
    },
  );
}

export function createServer(env: NodeJS.ProcessEnv, cwd: string): McpServer {
  const server = new McpServer(
    { name: TOOL_NAME, version: TOOL_VERSION },
    {
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions:
        'Find, prove and prevent the HTTP/1.1 keep-alive race behind phantom load-balancer 502s. Start with the investigate-502 prompt; tools follow the playbook: diagnose (scope; metrics prom:/cloudwatch: first, then logs), scan/check/probe/defaults/evidence (both timeouts; evidence also shows the race in packet captures), check (the fix), probe/check/verify (verify the fix once deployed: verify compares the 502s before and after from metrics or logs), lab (proof on 127.0.0.1).',
    },
  );
  for (const tool of TOOLS) registerTool(server, tool, env, cwd);
  registerResources(server);
  registerPrompts(server);
  return server;
}

/** Serves MCP on stdin/stdout until the client closes stdin (or the signal aborts). */
export async function serveStdio(env: NodeJS.ProcessEnv, cwd: string, signal: AbortSignal): Promise<void> {
  const server = createServer(env, cwd);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
}
