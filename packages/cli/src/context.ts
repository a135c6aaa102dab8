import type { OutputStream } from './fd-output.js';

/** Everything a command may touch, injected so commands can be run in-process by tests. */
export interface CliContext {
  /** Where results go: `write` and `isTTY` (bin.ts gives an `FdOutput`; tests give any Writable). */
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Colours on: stdout is a TTY and NO_COLOR is not set (and --no-color was not given). */
  readonly color: boolean;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly and report what they have. */
  readonly signal: AbortSignal;
  /**
   * Progress of a long command (bytes read, samples taken), for callers that are not a terminal
   * (the MCP server turns it into progress notifications). `total` is undefined when unknown.
   */
  readonly onProgress?: ((done: number, total: number | undefined, message: string) => void) | undefined;
}

/** A CLI command. `run` returns the exit code for results (0 or 1); usage and input errors throw. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text, with at least one example. */
  readonly help: string;
  run(args: string[], context: CliContext): Promise<number>;
}
