import type { CliContext } from '../context.js';

/** I/O for the deployed-server sources: `proc:PID` and `image:FILE` (registered in io.ts). */
export function deployedServerIo(_context: CliContext): Record<string, unknown> {
  // Loaded when a proc: or image: source is used, not at start-up (see commands/index.ts).
  return {
    readProcess: async (pid: number) => (await import('./proc.js')).readProcess(pid),
    readImageConfig: async (...args: Parameters<typeof import('./image.js').readImageConfig>) =>
      (await import('./image.js')).readImageConfig(...args),
  };
}
