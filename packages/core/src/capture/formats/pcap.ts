import type { CaptureFormatDefinition } from '../types.js';
import { ChunkQueue, reportEndOfInput } from './buffer.js';

/**
 * Classic libpcap files: a 24-byte header, then 16-byte record headers each followed by the frame.
 * Magic 0xa1b2c3d4 (microseconds) or 0xa1b23c4d (nanoseconds), written in the capturing host's
 * byte order. Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 */
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
/** A record longer than this is damage, not a frame (tcpdump's own limit is 256 KiB). */
const MAX_RECORD = 16 * 1024 * 1024;

function magicOf(head: Uint8Array): { littleEndian: boolean; nano: boolean } | null {
  if (head.length < 4) return null;
  const view = new DataView(head.buffer, head.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === MAGIC_US) return { littleEndian, nano: false };
    if (magic === MAGIC_NS) return { littleEndian, nano: true };
  }
  return null;
}

export const pcapFormat: CaptureFormatDefinition = {
  id: 'pcap',
  summary: 'libpcap (tcpdump -w), both byte orders, microsecond or nanosecond timestamps',
  detect: (head) => magicOf(head) !== null,
  create(file, sink, report) {
    const queue = new ChunkQueue();
    let header: { littleEndian: boolean; nano: boolean; linkType: number } | null = null;
    let failed = false;
    const frame = queue.scratchFrame();
    return {
      push(bytes) {
        if (failed) return;
        queue.append(bytes);
        if (header === null) {
          if (queue.available() < 24) return;
          const magic = magicOf(queue.data.subarray(queue.pos, queue.pos + 4));
          if (!magic) {
            failed = true;
            report({ file, offset: 0, code: 'not-a-capture', message: 'not a pcap file (bad magic number)' });
            return;
          }
          const linkType = queue.view.getUint32(queue.pos + 20, magic.littleEndian) & 0xffff;
          header = { ...magic, linkType };
          queue.pos += 24;
        }
        const { littleEndian, nano, linkType } = header;
        const view = queue.view;
        const data = queue.data;
        frame.data = data;
        frame.linkType = linkType;
        while (data.length - queue.pos >= 16) {
          const at = queue.pos;
          const included = view.getUint32(at + 8, littleEndian);
          if (included > MAX_RECORD) {
            failed = true;
            report({
              file,
              offset: queue.base + at,
              code: 'bad-record',
              message: `record header claims ${included} bytes; the rest of the file cannot be read`,
            });
            return;
          }
          if (data.length - at < 16 + included) break;
          const seconds = view.getUint32(at, littleEndian);
          const fraction = view.getUint32(at + 4, littleEndian);
          frame.timeUs = seconds * 1e6 + (nano ? fraction / 1000 : fraction);
          frame.offset = at + 16;
          frame.capturedLength = included;
          frame.fileOffset = queue.base + at;
          queue.pos = at + 16 + included;
          sink(frame);
        }
      },
      end() {
        if (!failed)
          reportEndOfInput(
            queue,
            header !== null,
            { file, header: 'a pcap header', record: 'record' },
            report,
          );
      },
    };
  },
};
