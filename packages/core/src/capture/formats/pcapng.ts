import type { CaptureFormatDefinition } from '../types.js';
import { ChunkQueue, reportEndOfInput } from './buffer.js';

/**
 * pcapng (Wireshark's default, `editcap -F pcapng`): blocks of type, length, body, length. Each
 * section header sets the byte order; each interface description block gives a link type and a
 * timestamp resolution (`if_tsresol`, default microseconds). Enhanced, simple and obsolete packet
 * blocks carry frames. Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
 */
const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const OBSOLETE_PB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MAX_BLOCK = 64 * 1024 * 1024;

interface Interface {
  linkType: number;
  /** Microseconds per timestamp unit. */
  usPerUnit: number;
}

/** `if_tsresol`: MSB clear → 10^-v s per unit, set → 2^-v s per unit. */
function usPerUnit(tsresol: number): number {
  const exponent = tsresol & 0x7f;
  return tsresol & 0x80 ? 1e6 / 2 ** exponent : 1e6 / 10 ** exponent;
}

export const pcapngFormat: CaptureFormatDefinition = {
  id: 'pcapng',
  summary: 'pcapng (Wireshark, editcap -F pcapng), several interfaces, if_tsresol timestamps',
  detect: (head) =>
    head.length >= 4 && head[0] === 0x0a && head[1] === 0x0d && head[2] === 0x0d && head[3] === 0x0a,
  create(file, sink, report) {
    const queue = new ChunkQueue();
    let littleEndian = true;
    let interfaces: Interface[] = [];
    let started = false;
    let failed = false;
    const frame = queue.scratchFrame();
    const fail = (offset: number, message: string, code: 'bad-record' | 'not-a-capture' = 'bad-record') => {
      failed = true;
      report({ file, offset, code, message });
    };
    return {
      push(bytes) {
        if (failed) return;
        queue.append(bytes);
        const data = queue.data;
        const view = queue.view;
        frame.data = data;
        while (data.length - queue.pos >= 12) {
          const at = queue.pos;
          const rawType = view.getUint32(at, littleEndian);
          if (!started || view.getUint32(at, true) === SHB) {
            if (view.getUint32(at, true) !== SHB) {
              fail(queue.base + at, 'not a pcapng file (no section header block)', 'not-a-capture');
              return;
            }
            const magic = view.getUint32(at + 8, true);
            if (magic === BYTE_ORDER_MAGIC) littleEndian = true;
            else if (magic === 0x4d3c2b1a) littleEndian = false;
            else {
              fail(queue.base + at, 'pcapng section header with a bad byte-order magic');
              return;
            }
          }
          const type = started ? rawType : SHB;
          const length = view.getUint32(at + 4, littleEndian);
          if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
            fail(
              queue.base + at,
              `pcapng block length ${length} is not valid; the rest of the file cannot be read`,
            );
            return;
          }
          if (data.length - at < length) break;
          queue.pos = at + length;
          const body = at + 8;
          const bodyEnd = at + length - 4;
          if (type === SHB) {
            started = true;
            interfaces = [];
          } else if (type === IDB) {
            if (bodyEnd - body < 8) {
              fail(queue.base + at, 'pcapng interface block too short');
              return;
            }
            const iface: Interface = { linkType: view.getUint16(body, littleEndian), usPerUnit: 1 };
            let option = body + 8;
            while (option + 4 <= bodyEnd) {
              const code = view.getUint16(option, littleEndian);
              const size = view.getUint16(option + 2, littleEndian);
              if (code === 0) break;
              if (code === 9 && size >= 1 && option + 4 < bodyEnd)
                iface.usPerUnit = usPerUnit(data[option + 4]!);
              option += 4 + ((size + 3) & ~3);
            }
            interfaces.push(iface);
          } else if (type === EPB || type === OBSOLETE_PB || type === SPB) {
            let ifIndex = 0;
            let high = 0;
            let low = 0;
            let captured: number;
            let start: number;
            if (type === SPB) {
              // No timestamp and no captured length: the frame fills the block (up to the snap length).
              start = body + 4;
              captured = Math.min(view.getUint32(body, littleEndian), bodyEnd - start);
            } else {
              if (bodyEnd - body < 20) {
                fail(queue.base + at, 'pcapng packet block too short');
                return;
              }
              ifIndex =
                type === EPB ? view.getUint32(body, littleEndian) : view.getUint16(body, littleEndian);
              high = view.getUint32(body + 4, littleEndian);
              low = view.getUint32(body + 8, littleEndian);
              captured = view.getUint32(body + 12, littleEndian);
              start = body + 20;
            }
            const iface = interfaces[ifIndex];
            if (!iface) {
              fail(queue.base + at, `packet on interface ${ifIndex}, which no interface block described`);
              return;
            }
            if (start + captured > bodyEnd) {
              fail(
                queue.base + at,
                `packet block claims ${captured} captured bytes, more than the block holds`,
              );
              return;
            }
            frame.timeUs = high * 4294967296 * iface.usPerUnit + low * iface.usPerUnit;
            frame.linkType = iface.linkType;
            frame.offset = start;
            frame.capturedLength = captured;
            frame.fileOffset = queue.base + at;
            sink(frame);
          }
          // Other blocks (name resolution, statistics, custom) carry nothing this reads.
        }
      },
      end() {
        if (!failed)
          reportEndOfInput(
            queue,
            started,
            { file, header: 'a pcapng section header', record: 'block' },
            report,
          );
      },
    };
  },
};
