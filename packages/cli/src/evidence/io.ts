import { DEFAULT_MARGIN_MS, KeepaliveParityError } from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import { nothingReadableMessage } from './messages.js';

/** `pcap:FILE` for check: the CLI streams the capture; the core turns it into facts. */
export function captureIo(context: CliContext): Record<string, unknown> {
  return {
    readCapture: async (path: string) => {
      const { readCaptures } = await import('./read.js');
      const { report, warnings } = await readCaptures([path], {
        cwd: context.cwd,
        stdin: context.stdin,
        marginMs: DEFAULT_MARGIN_MS,
      });
      const unreadable = nothingReadableMessage(report, warnings);
      if (unreadable) throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', unreadable, { file: path });
      return report;
    },
  };
}
