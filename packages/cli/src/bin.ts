#!/usr/bin/env node
import { main } from './main.js';
import { colorEnabled } from './render/color.js';

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

const args = process.argv.slice(2);
const code = await main(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  // A getter: touching process.stdin opens it (a stream, tty or pipe) and only some commands read it.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  cwd: process.cwd(),
  color: colorEnabled(process.stdout, process.env, args),
  signal: controller.signal,
});
process.exitCode = controller.signal.aborted && code === 0 ? 130 : code;
