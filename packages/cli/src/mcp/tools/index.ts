import type { ToolDeclaration } from '../tool.js';
import { checkTool } from './check.js';
import { defaultsTool } from './defaults.js';
import { diagnoseTool } from './diagnose.js';
import { labTool } from './lab.js';
import { probeTool } from './probe.js';
import { scanTool } from './scan.js';

/**
 * The one MCP tool registry, in the playbook's order: logs (scope), both timeouts, the fix and its
 * verification, then the lab. A new command adds one file here (see docs/mcp.md).
 */
// biome-ignore lint/suspicious/noExplicitAny: each declaration has its own input shape
export const TOOLS: readonly ToolDeclaration<any>[] = [
  diagnoseTool,
  scanTool,
  checkTool,
  defaultsTool,
  probeTool,
  labTool,
];
