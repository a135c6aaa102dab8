import type { AnyToolDeclaration } from '../tool.js';
import { checkTool } from './check.js';
import { defaultsTool } from './defaults.js';
import { diagnoseTool } from './diagnose.js';
import { evidenceTool } from './evidence.js';
import { labTool } from './lab.js';
import { probeTool } from './probe.js';
import { scanTool } from './scan.js';
import { verifyTool } from './verify.js';

/**
 * The one MCP tool registry, in the playbook's order: scope, metrics and logs (diagnose), both
 * timeouts (scan, check, defaults, probe, evidence), the fix and its verification (verify), then the
 * lab. A new command adds one file here (see docs/mcp.md).
 */
export const TOOLS: readonly AnyToolDeclaration[] = [
  diagnoseTool,
  scanTool,
  checkTool,
  defaultsTool,
  probeTool,
  evidenceTool,
  verifyTool,
  labTool,
];
