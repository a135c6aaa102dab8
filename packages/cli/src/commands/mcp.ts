import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'Serve the commands as MCP tools (stdio) for AI agents: tools, rule pages, defaults, a prompt',
  help: `Usage: keepalive-parity mcp

Runs a Model Context Protocol server on stdin/stdout (for Claude Desktop, Claude Code, Cursor, VS Code
and other MCP clients). Tools: diagnose, scan, check, defaults, probe, lab; each returns the
command's --json document as structured content. Resources: the rule pages
(keepalive-parity://rules/{id}) and the defaults knowledge base (keepalive-parity://defaults).
Prompt: investigate-502. Relative paths are resolved against the server's working directory.
Logs go to stderr. See docs/mcp.md.

Examples:
  keepalive-parity mcp
  # in an MCP client's configuration (Claude Desktop, Cursor, Claude Code .mcp.json):
  #   { "mcpServers": { "keepalive-parity": { "command": "npx", "args": ["-y", "keepalive-parity", "mcp"] } } }
`,
  async run(args, context) {
    parseCommandArgs('mcp', args, {});
    // The SDK loads only here, so other commands stay fast.
    const { serveStdio } = await import('../mcp/server.js');
    const log = (what: string) => (error: unknown) =>
      context.stderr.write(`keepalive-parity mcp: ${what}: ${(error as Error)?.stack ?? String(error)}\n`);
    // A long-running server: a stray error in one call is logged, never a crashed server.
    process.on('uncaughtException', log('uncaught exception'));
    process.on('unhandledRejection', log('unhandled rejection'));
    await serveStdio(context.env, context.cwd, context.signal);
    return EXIT_OK;
  },
};
