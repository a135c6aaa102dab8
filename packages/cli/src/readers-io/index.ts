import type { CliContext } from '../context.js';
import { readImageConfig } from './image.js';
import { readProcess } from './proc.js';

/** I/O for the deployed-server sources: `proc:PID` and `image:FILE` (registered in io.ts). */
export function deployedServerIo(_context: CliContext): Record<string, unknown> {
  return { readProcess: (pid: number) => readProcess(pid), readImageConfig };
}
