// The CLI as a function: dist/bin.js (the compiled entry) and the bin shim, through the bundle's
// entry dist/start.cjs, call it. The bundle's entry does not run the CLI itself: the start-up
// chunk takes shared code from the entry, which must have finished loading first.
import { FdOutput } from './fd-output.js';
import { main } from './main.js';
import { colorEnabled } from './render/color.js';

/** Runs the CLI on `argv` (without node and the script) and sets `process.exitCode`. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupts++;
      // First signal: commands stop cleanly (children stopped, partial results printed).
      // A second one forces the exit.
      if (interrupts > 1) process.exit(130);
      controller.abort(new Error(`interrupted by ${signal}`));
    });
  }

  const args = [...argv];
  // Written with fs.writeSync; Node's stdout/stderr streams are made only if needed (fd-output.ts).
  const stdout = new FdOutput(1, () => process.stdout);
  const stderr = new FdOutput(2, () => process.stderr);
  let color: boolean | undefined;
  const code = await main(args, {
    stdout,
    stderr,
    // A getter: touching process.stdin opens it (a stream, tty or pipe) and only some commands read it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    // A getter: only text output asks, and asking may stat stdout.
    get color() {
      color ??= colorEnabled(stdout, process.env, args);
      return color;
    },
    signal: controller.signal,
  });
  process.exitCode = controller.signal.aborted && code === 0 ? 130 : code;
}
