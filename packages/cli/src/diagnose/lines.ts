import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Streams of log lines: plain or gzip (by magic bytes), whole or a byte range, with truncation reported. */

/** 64 KiB: decoded chunks stay below V8's large-object size, so they die young instead of piling up. */
export const READ_CHUNK_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ReadOutcome {
  /** Lines delivered (the range's own lines). */
  readonly lines: number;
  /** Compressed/raw bytes read. */
  readonly bytes: number;
  /** Set when a gzip stream ended early or failed; lines before it were delivered. */
  readonly truncated: string | null;
}

export type LineSink = (line: string, lineNumber: number) => void;

/** Decodes `buffer[0, end)`: latin1 when it is pure ASCII (same text, much faster), else UTF-8. */
function decode(buffer: Buffer, end: number): string {
  const part = end === buffer.length ? buffer : buffer.subarray(0, end);
  return part.toString(isAscii(part) ? 'latin1' : 'utf8');
}

/** Why a read stopped early: a gzip stream cut short, or the read error. */
export function truncationReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'Z_BUF_ERROR' || /unexpected end/i.test((error as Error).message)
    ? 'gzip stream ends early (truncated file)'
    : `read failed: ${(error as Error).message}`;
}

/** Set by `sinkLines`: where the text after its last newline starts. */
let restStart = 0;

/** Calls `sink` for each newline-ended line of `text`, numbered after `lineNumber`, until `max`; returns the last number. */
function sinkLines(text: string, lineNumber: number, sink: LineSink, max: number): number {
  let n = lineNumber;
  let start = 0;
  while (n < max) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    n++;
    sink(text.slice(start, nl), n);
    start = nl + 1;
  }
  restStart = start;
  return n;
}

/**
 * Calls `sink` for each line of a block of whole lines (numbered from 1; a last line without its
 * newline counts when it is not empty, as `readLines` does) and returns how many there were. The
 * block is decoded in pieces of about READ_CHUNK_BYTES cut at newlines, as `readLines` decodes chunks.
 */
export function sinkBlockLines(block: Buffer, sink: LineSink): number {
  let lineNumber = 0;
  let off = 0;
  while (off < block.length) {
    let end = Math.min(block.length, off + READ_CHUNK_BYTES);
    if (end < block.length) {
      const nl = block.lastIndexOf(10, end - 1);
      const next = nl >= off ? nl : block.indexOf(10, end);
      end = next < 0 ? block.length : next + 1;
    }
    const text = decode(block.subarray(off, end), end - off);
    lineNumber = sinkLines(text, lineNumber, sink, Number.POSITIVE_INFINITY);
    if (restStart < text.length) {
      lineNumber++;
      sink(text.slice(restStart), lineNumber);
    }
    off = end;
  }
  return lineNumber;
}

/** True when the buffer starts with the gzip magic bytes. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Splits a byte stream into lines and calls `sink` for each (numbered from 1). A gzip stream is
 * decompressed when `gzip` is true; an error in it ends the read with `truncated` set.
 * `onBytes` reports raw bytes consumed (for progress). `signal` stops early.
 */
export async function readLines(
  source: Readable,
  gzip: boolean,
  sink: LineSink,
  options: { onBytes?: (bytes: number) => void; signal?: AbortSignal; maxLines?: number } = {},
): Promise<ReadOutcome> {
  let bytes = 0;
  if (gzip) {
    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      options.onBytes?.(chunk.length);
    });
  }
  const stream: Readable = gzip ? source.pipe(createGunzip({ chunkSize: 256 * 1024 })) : source;
  if (gzip) source.on('error', (e) => stream.destroy(e));
  // Lines are cut on the newline byte and each chunk is decoded once, up to its last newline, into a
  // flat string (appending to a carried-over string would make a slow cons-string). UTF-8 sequences
  // never contain the newline byte, so no character is split.
  let carry: Buffer | null = null;
  let lineNumber = 0;
  let truncated: string | null = null;
  const max = options.maxLines ?? Number.POSITIVE_INFINITY;
  // Ctrl-C must also end a read that is waiting for data (stdin, a slow S3 object).
  const onAbort = () => {
    stream.destroy();
    if (stream !== source) source.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const raw of stream) {
      if (options.signal?.aborted) break;
      const piece = raw as Buffer;
      if (!gzip) {
        bytes += piece.length;
        options.onBytes?.(piece.length);
      }
      let chunk = piece;
      if (carry !== null) {
        // Finish the carried-over line with the bytes up to this chunk's first newline; only that
        // short line is copied, never the whole chunk.
        const firstNl = piece.indexOf(10);
        if (firstNl < 0) {
          carry = Buffer.concat([carry, piece]);
          if (carry.length > MAX_LINE_BYTES) {
            // A 16 MB "line" is not a log line: hand over its start (it will be counted malformed).
            lineNumber++;
            sink(carry.toString('utf8', 0, 4096), lineNumber);
            carry = null;
          }
          continue;
        }
        lineNumber++;
        sink(Buffer.concat([carry, piece.subarray(0, firstNl)]).toString('utf8'), lineNumber);
        carry = null;
        if (lineNumber >= max) break;
        chunk = piece.subarray(firstNl + 1);
      }
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        carry = chunk.length > 0 ? Buffer.from(chunk) : null;
        continue;
      }
      const text = decode(chunk, last + 1);
      carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null;
      lineNumber = sinkLines(text, lineNumber, sink, max);
      if (lineNumber >= max) break;
    }
  } catch (error) {
    truncated = options.signal?.aborted ? null : truncationReason(error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!source.destroyed) source.destroy();
  }
  if (lineNumber < max && carry !== null && carry.length > 0) {
    lineNumber++;
    sink(carry.toString('utf8'), lineNumber);
  }
  return { lines: lineNumber, bytes, truncated };
}

/** The bytes of `[start, end)` of a file, cut to whole lines: a line belongs to the range its first byte is in. */
async function* rangeBytes(
  path: string,
  start: number,
  end: number,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  // Begin one byte early: if that byte is a newline, the range starts exactly on a line.
  const from = start === 0 ? 0 : start - 1;
  const stream = createReadStream(path, { start: from, highWaterMark: READ_CHUNK_BYTES });
  let base = from;
  let skipping = start !== 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      onBytes?.(raw.length);
      let chunk = raw;
      let chunkBase = base;
      base += raw.length;
      if (skipping) {
        const nl = chunk.indexOf(10);
        if (nl < 0) continue;
        chunk = chunk.subarray(nl + 1);
        chunkBase += nl + 1;
        skipping = false;
        if (chunkBase >= end) return;
      }
      // The last owned line ends at the first newline at or after byte end-1.
      const stopFrom = end - 1 - chunkBase;
      if (stopFrom < chunk.length) {
        const stop = chunk.indexOf(10, Math.max(0, stopFrom));
        if (stop >= 0) {
          yield chunk.subarray(0, stop + 1);
          return;
        }
      }
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

/** Reads the lines of `[start, end)` of a plain file; line numbers are local to the range. */
export async function readFileRange(
  path: string,
  start: number,
  end: number,
  sink: LineSink,
  options: { onBytes?: (bytes: number) => void; signal?: AbortSignal } = {},
): Promise<ReadOutcome> {
  const { Readable } = await import('node:stream');
  const source = Readable.from(rangeBytes(path, start, end, options.onBytes), { objectMode: false });
  const signal = options.signal;
  return readLines(source, false, sink, signal ? { signal } : {});
}
