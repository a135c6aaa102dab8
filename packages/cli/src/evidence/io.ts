import type { EvidenceReport } from '@keepalive-parity/core';
import { DEFAULT_MARGIN_MS, KeepaliveParityError } from '@keepalive-parity/core/engine';
import type { CliContext } from '../context.js';

/**
 * `pcap:FILE` for check: the CLI streams the capture; the core turns it into facts. A file named
 * on both sides (`--lb pcap:F --backend pcap:F`) is read once.
 */
export function captureIo(context: CliContext): Record<string, unknown> {
  const read = new Map<string, Promise<EvidenceReport>>();
  const readOnce = async (path: string): Promise<EvidenceReport> => {
    // Loaded on first use: the capture decoders come with the full core, which check's other
    // sources never need (start-up, issue 12).
    const [{ readCaptures }, { nothingReadableMessage }] = await Promise.all([
      import('./read.js'),
      import('./messages.js'),
    ]);
    const { report, warnings } = await readCaptures([path], {
      cwd: context.cwd,
      stdin: context.stdin,
      marginMs: DEFAULT_MARGIN_MS,
    });
    const unreadable = nothingReadableMessage(report, warnings);
    if (unreadable) throw new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', unreadable, { file: path });
    return report;
  };
  return {
    readCapture: (path: string) => {
      let pending = read.get(path);
      if (!pending) {
        pending = readOnce(path);
        read.set(path, pending);
      }
      return pending;
    },
  };
}
