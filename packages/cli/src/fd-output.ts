// The CLI's stdout and stderr: writes go straight to the file descriptor with `fs.writeSync`, and
// Node's `process.stdout`/`process.stderr` stream is made only when one is needed. Touching
// `process.stdout` builds a stream (a tty.WriteStream, a net.Socket or a SyncWriteStream) and loads
// about 25 internal modules: 2 ms of a 22 ms start on Node 24, 4 ms on Node 20 (issue 12,
// docs/benchmarks.md "Start-up"). `check` and `assert` print a few kilobytes and exit, so they
// never need it.
//
// What makes the stream necessary, and then everything after goes through it, in order:
// - EAGAIN: the descriptor is non-blocking (a pipe shared with a parent that made it so) and full;
//   the stream waits for it to drain on the event loop. Everything before was written whole, so
//   the order holds.
// - A caller that needs more than `write` (the MCP transport uses `process.stdout` itself).
// EPIPE (the reader went away, as with `| head`) ends the output quietly, as `head` users expect;
// the exit code is kept.

const fs = process.getBuiltinModule('node:fs');

/** What a command writes to: `write`, and whether it is a terminal (progress bars, colours). */
export interface OutputStream {
  write(chunk: string | Uint8Array): boolean;
  readonly isTTY?: boolean | undefined;
}

export class FdOutput implements OutputStream {
  private stream: NodeJS.WriteStream | undefined;
  private closed = false;
  private tty: boolean | undefined;

  constructor(
    private readonly fd: number,
    /** The Node stream for this descriptor, made on first call (`() => process.stdout`). */
    private readonly makeStream: () => NodeJS.WriteStream,
  ) {}

  /** Exact, without loading `node:tty` unless the descriptor is a character device other than /dev/null. */
  get isTTY(): boolean {
    this.tty ??= isTerminal(this.fd);
    return this.tty;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return true;
    if (this.stream) return this.stream.write(chunk);
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // Bounded: every pass writes at least one byte or leaves the loop.
    while (bytes.length > 0) {
      let written: number;
      try {
        written = fs.writeSync(this.fd, bytes);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          this.stream = this.makeStream();
          return this.stream.write(bytes);
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return true;
        }
        throw error;
      }
      if (written <= 0) {
        this.stream = this.makeStream();
        return this.stream.write(bytes);
      }
      bytes = bytes.subarray(written);
    }
    return true;
  }
}

let devNull: { dev: number; rdev: number } | null | undefined;

/** Whether a descriptor is a terminal: pipes, sockets and files are not; /dev/null is not. */
export function isTerminal(fd: number): boolean {
  let stat: import('node:fs').Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice()) return false;
  if (devNull === undefined) {
    try {
      const s = fs.statSync('/dev/null');
      devNull = { dev: s.dev, rdev: s.rdev };
    } catch {
      devNull = null;
    }
  }
  if (devNull && stat.rdev === devNull.rdev) return false;
  return process.getBuiltinModule('node:tty').isatty(fd);
}
