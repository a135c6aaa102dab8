import type { SourceIo } from '@keepalive-parity/core/engine';
import { KeepaliveParityError } from '@keepalive-parity/core/engine';
import { awsIo } from './aws/index.js';
import type { CliContext } from './context.js';
import { captureIo } from './evidence/io.js';
import { readTextFile } from './fs-text.js';
import { probeIo } from './probe/io.js';
import { readerIo } from './reader-io.js';
import { deployedServerIo } from './readers-io/index.js';

/**
 * The real I/O behind the core's injected `SourceIo`. Later readers add members (live AWS,
 * probe) in `sourceIoExtensions`.
 */
export function createSourceIo(context: CliContext): SourceIo {
  const io: Record<string, unknown> = {
    getEnv: (name: string) => context.env[name],
    now: () => new Date().toISOString(),
    readTextFile: async (path: string) => {
      try {
        return await readTextFile(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new KeepaliveParityError(
          'KAP_SOURCE_UNAVAILABLE',
          `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
          {
            file: path,
          },
        );
      }
    },
  };
  for (const extend of sourceIoExtensions) Object.assign(io, extend(context));
  return io as SourceIo;
}

/** Registration point for I/O that later source kinds need (probe sockets, AWS clients). */
export const sourceIoExtensions: Array<(context: CliContext) => Record<string, unknown>> = [
  readerIo,
  probeIo,
  awsIo,
  deployedServerIo,
  captureIo,
];
