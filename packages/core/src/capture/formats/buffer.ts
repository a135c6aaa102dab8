import type { CaptureDiagnostic, Frame } from '../types.js';

/**
 * Bytes arriving in chunks, consumed in records: keeps the unread tail of the last chunk and joins
 * it with the next one (a record may straddle chunks). Memory: the tail is at most one record.
 */
export class ChunkQueue {
  data: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.data.buffer);
  /** Next unread byte in `data`. */
  pos = 0;
  /** Offset in the whole stream of `data[0]`. */
  base = 0;

  append(bytes: Uint8Array): void {
    const rest = this.data.length - this.pos;
    if (rest === 0) {
      this.base += this.data.length;
      this.data = bytes;
    } else {
      const joined = new Uint8Array(rest + bytes.length);
      joined.set(this.data.subarray(this.pos), 0);
      joined.set(bytes, rest);
      this.base += this.pos;
      this.data = joined;
    }
    this.pos = 0;
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  available(): number {
    return this.data.length - this.pos;
  }

  /** The one frame object a decoder fills and hands on for every record (no allocation per packet). */
  scratchFrame(): Frame {
    return { timeUs: 0, linkType: 0, data: this.data, offset: 0, capturedLength: 0, fileOffset: 0 };
  }

  /** Stream offset of the next unread byte. */
  offset(): number {
    return this.base + this.pos;
  }
}

/**
 * The end of a capture's bytes: nothing at all, too little for the file header, or a last record
 * (pcap) / block (pcapng) cut short. `headerRead` says whether the file header was complete.
 */
export function reportEndOfInput(
  queue: ChunkQueue,
  headerRead: boolean,
  what: { readonly file: string; readonly header: string; readonly record: 'record' | 'block' },
  report: (d: CaptureDiagnostic) => void,
): void {
  const rest = queue.available();
  if (!headerRead) {
    report({
      file: what.file,
      offset: 0,
      code: rest === 0 ? 'empty' : 'not-a-capture',
      message: rest === 0 ? 'empty file' : `too short for ${what.header}`,
    });
  } else if (rest > 0) {
    report({
      file: what.file,
      offset: queue.offset(),
      code: 'truncated-record',
      message: `the last ${what.record} is cut short (${rest} bytes of it present); the packets before it were read`,
    });
  }
}
