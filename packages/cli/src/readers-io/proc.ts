import { readFile, readlink } from 'node:fs/promises';
import { KeepaliveParityError, type ProcessSnapshot } from '@keepalive-parity/core';

function nulSplit(buffer: Buffer): string[] {
  const parts = buffer.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** `proc:PID` I/O: `/proc/PID/cmdline`, `environ` and `cwd` (Linux only). */
export async function readProcess(
  pid: number,
  platform: string = process.platform,
): Promise<ProcessSnapshot> {
  if (platform !== 'linux') {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `proc:${pid}: reading a process needs Linux /proc (this is ${platform}); give its command line with cmd:"..." instead`,
      { field: `proc:${pid}` },
    );
  }
  const base = `/proc/${pid}`;
  const read = async (what: string) => {
    try {
      return await readFile(`${base}/${what}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH')
        throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `proc:${pid}: no such process`, {
          field: `proc:${pid}`,
        });
      if (code === 'EACCES' || code === 'EPERM')
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `proc:${pid}: permission denied reading ${base}/${what} (the process belongs to another user: run as that user or root)`,
          { field: `proc:${pid}` },
        );
      throw new KeepaliveParityError(
        'KAP_SOURCE_UNAVAILABLE',
        `proc:${pid}: cannot read ${base}/${what}: ${(error as Error).message}`,
        { field: `proc:${pid}` },
      );
    }
  };
  const argv = nulSplit(await read('cmdline'));
  if (argv.length === 0) {
    throw new KeepaliveParityError(
      'KAP_SOURCE_UNAVAILABLE',
      `proc:${pid}: the process has no command line (a kernel thread or a zombie)`,
      { field: `proc:${pid}` },
    );
  }
  const env: [string, string][] = [];
  for (const item of nulSplit(await read('environ'))) {
    const eq = item.indexOf('=');
    if (eq > 0) env.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  let cwd: string | undefined;
  try {
    cwd = await readlink(`${base}/cwd`);
  } catch {
    cwd = undefined;
  }
  return { pid, argv, env, cwd };
}
