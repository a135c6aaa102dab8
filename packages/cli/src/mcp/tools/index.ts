import type { AnyToolDeclaration } from '../tool.js';
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
export const TOOLS: readonly AnyToolDeclaration[] = [
  diagnoseTool,
  scanTool,
  checkTool,
  defaultsTool,
  probeTool,
  labTool,
];
