import type { Command } from '../context.js';
import { assertCommand } from './assert.js';
import { checkCommand } from './check.js';
import { defaultsCommand } from './defaults.js';
import { diagnoseCommand } from './diagnose.js';
import { evidenceCommand } from './evidence.js';
import { labCommand } from './lab.js';
import { mcpCommand } from './mcp.js';
import { probeCommand } from './probe.js';
import { scanCommand } from './scan.js';
import { verifyCommand } from './verify.js';

/**
 * The one command registry. A command module exports a `Command`; heavy dependencies (AWS SDK,
 * DuckDB) are imported inside `run`, so `--help` and `check` stay fast.
 */
export const COMMANDS: readonly Command[] = [
  // In the order users meet them: see the race, check a hop, guard it, find it, measure it, read logs.
  labCommand,
  checkCommand,
  assertCommand,
  scanCommand,
  probeCommand,
  diagnoseCommand,
  verifyCommand,
  evidenceCommand,
  defaultsCommand,
  mcpCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
