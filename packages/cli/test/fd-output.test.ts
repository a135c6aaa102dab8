/**
 * The CLI's stdout/stderr (src/fd-output.ts): written with fs.writeSync, with Node's stream made
 * only when the descriptor needs it. Real descriptors: a FIFO made with mkfifo, a pseudo-terminal
 * from `script`, /dev/null, a file.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FdOutput, isTerminal } from '../src/fd-output.js';
import { requireBinaries } from './support/binaries.js';

const SHIM = fileURLToPath(new URL('../bin/keepalive-parity.cjs', import.meta.url));
const COMPILED = fileURLToPath(new URL('../dist/fd-output.js', import.meta.url));

function withDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kap-fd-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both ends of a FIFO, opened non-blocking (as a pipe shared with a parent that made it so). */
function fifo(dir: string): { read: number; write: number } {
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return { read, write };
}

describe('the CLI output (fd-output.ts)', () => {
  it('is not a terminal on /dev/null, a file or a pipe', requireBinaries('mkfifo'), () => {
    withDir((dir) => {
      const devNull = openSync('/dev/null', 'w');
      const file = join(dir, 'out.txt');
      writeFileSync(file, '');
      const regular = openSync(file, 'w');
      const { read, write } = fifo(dir);
      try {
        assert.equal(isTerminal(devNull), false);
        assert.equal(isTerminal(regular), false);
        assert.equal(isTerminal(write), false);
        assert.equal(new FdOutput(devNull, () => assert.fail('no stream')).isTTY, false);
      } finally {
        for (const fd of [devNull, regular, read, write]) closeSync(fd);
      }
    });
  });

  it('is a terminal on a pseudo-terminal', requireBinaries('script'), () => {
    // `script` runs the command on a new pseudo-terminal: stdout is a tty there, /dev/null is not.
    const code = `import(${JSON.stringify(COMPILED)}).then((m) => { const n = require('node:fs').openSync('/dev/null', 'w'); console.log('tty=' + m.isTerminal(1) + ' null=' + m.isTerminal(n)); })`;
    const command = `${JSON.stringify(process.execPath)} -e ${JSON.stringify(code)}`;
    const out = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(out, /tty=true null=false/);
  });

  it(
    'a full non-blocking pipe (EAGAIN) hands the rest to the stream, every byte in order',
    requireBinaries('mkfifo'),
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kap-fd-'));
      const { read, write } = fifo(dir);
      const reader = new Socket({ fd: read, readable: true, writable: false });
      const chunks: Buffer[] = [];
      reader.on('data', (d: Buffer) => chunks.push(d));
      let streams = 0;
      let stream: Socket | undefined;
      const out = new FdOutput(write, () => {
        streams++;
        stream = new Socket({ fd: write, readable: false, writable: true });
        return stream as unknown as NodeJS.WriteStream;
      });
      // 200 KB before anything is read: more than a pipe holds (64 KiB on Linux), so EAGAIN.
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(5, '0')}\n`);
      const expected = lines.join('');
      try {
        for (let i = 0; i < lines.length; i += 1000) out.write(lines.slice(i, i + 1000).join(''));
        assert.equal(streams, 1, 'the stream was made once, on EAGAIN');
        stream?.end();
        // Bounded: the reader ends when the writer's stream closes; the test runner's timeout guards it.
        await new Promise<void>((resolve, reject) => {
          reader.on('end', resolve);
          reader.on('error', reject);
        });
        assert.equal(Buffer.concat(chunks).toString('utf8'), expected);
      } finally {
        reader.destroy();
        stream?.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('a reader that went away (EPIPE) ends the output quietly', requireBinaries('mkfifo'), () => {
    withDir((dir) => {
      const { read, write } = fifo(dir);
      closeSync(read);
      const out = new FdOutput(write, () => assert.fail('no stream on EPIPE'));
      try {
        assert.equal(out.write('first\n'), true);
        assert.equal(out.write('second\n'), true);
      } finally {
        closeSync(write);
      }
    });
  });

  it('the CLI piped into `head`: exit 0 and nothing on stderr', requireBinaries('bash', 'head'), () => {
    // `defaults --json` prints about 90 KB, more than the pipe holds when `head` has gone.
    const run = spawnSync(
      'bash',
      [
        '-c',
        `set -o pipefail; ${JSON.stringify(process.execPath)} ${JSON.stringify(SHIM)} defaults --json | head -c 10`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(run.stdout, '{\n  "schem');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
  });
});
