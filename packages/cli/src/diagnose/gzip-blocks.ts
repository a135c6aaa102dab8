import { createReadStream } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import {
  closeOpenGaps,
  emptyPartial,
  type GapFinish,
  LogAnalyzer,
  type LogFormat,
  mergePartials,
  offsetLineNumbers,
  type PartialAnalysis,
} from '@keepalive-parity/core';
import { formatById } from './formats.js';
import { sinkBlockLines, truncationReason } from './lines.js';
import { startWorker } from './pool.js';
import type { FileTask, TaskResult } from './task.js';

/**
 * One large `.gz` on several workers. zlib inflates in this thread's pool (Node's zlib is several
 * times faster than parsing), the output is cut into blocks of whole lines, and each block is
 * transferred (not copied) to the least busy worker, which parses it with its own analyzer. The
 * blocks' partial results are merged in order, their line numbers shifted by the lines before them.
 * The first request to each target in a block gets its idle gap at the merge (`closeOpenGaps`), as
 * with byte ranges of a plain file.
 */

/** Decompressed bytes per block: large enough that a transfer is rare, small enough for the RSS goal. */
export const GZIP_BLOCK_BYTES = 4 * 1024 * 1024;
/** Compressed files at least this large are split (a smaller one is not worth a worker's start). */
export const GZIP_SPLIT_BYTES = 16 * 1024 * 1024;
/** A "line" this long without a newline is cut into a block anyway (not a log line; counted malformed). */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/** Blocks queued per worker: one parsing, one waiting, so no worker idles while the next is cut. */
const IN_FLIGHT_PER_WORKER = 2;

/** What the pool posts to a worker: a block of lines of one file, and how to read it. */
export interface BlockMessage {
  readonly block: Uint8Array;
  readonly seq: number;
  readonly name: string;
  readonly formatId: string;
  readonly formatOptions: FileTask['formatOptions'];
  readonly window: FileTask['window'];
}

export interface BlockResult {
  readonly seq: number;
  readonly partial: PartialAnalysis;
  readonly lines: number;
  /** The block's memory, transferred back to be filled again (freed memory of a transferred buffer comes back late). */
  readonly spare: ArrayBuffer;
}

let cachedFormat: { key: string; format: LogFormat } | null = null;

/** In a worker: parses one block with a fresh analyzer (line numbers local to the block). */
export function runBlock(m: BlockMessage): BlockResult {
  const key = `${m.formatId}\u0000${JSON.stringify(m.formatOptions)}`;
  if (cachedFormat?.key !== key) cachedFormat = { key, format: formatById(m.formatId, m.formatOptions) };
  const analyzer = new LogAnalyzer({ ...m.window, deferFirstGaps: true });
  analyzer.beginInput(m.name, cachedFormat.format);
  const block = Buffer.from(m.block.buffer, m.block.byteOffset, m.block.byteLength);
  const lines = sinkBlockLines(block, (line, n) => analyzer.addLine(line, n));
  return { seq: m.seq, partial: analyzer.toPartial(), lines, spare: m.block.buffer as ArrayBuffer };
}

/** Copies `pieces` into one transferable buffer: a spare one when it is large enough. */
function joinPieces(
  pieces: readonly Buffer[],
  total: number,
  spares: ArrayBuffer[],
  capacity: number,
): Buffer {
  const spare = spares.pop();
  const out =
    spare !== undefined && spare.byteLength >= total
      ? Buffer.from(spare, 0, total)
      : Buffer.from(new ArrayBuffer(Math.max(total, capacity)), 0, total);
  let at = 0;
  for (const p of pieces) {
    p.copy(out, at);
    at += p.length;
  }
  return out;
}

/** Runs a gzip task as blocks on `jobs` workers; one TaskResult for the whole file. */
export async function runGzipBlocks(
  task: FileTask,
  jobs: number,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
  blockBytes = Number(process.env.KEEPALIVE_PARITY_DIAGNOSE_GZIP_BLOCK_BYTES) || GZIP_BLOCK_BYTES,
): Promise<TaskResult> {
  const pool: Array<{ worker: Worker; inFlight: number }> = [];
  // Results are merged in block order as soon as the next one is in (memory stays bounded).
  const done = new Map<number, Pick<BlockResult, 'partial' | 'lines'>>();
  const partial = emptyPartial();
  const finishes = new Map<string, GapFinish>();
  let merged = 0;
  let lines = 0;
  const mergeReady = () => {
    for (let r = done.get(merged); r !== undefined; r = done.get(merged)) {
      done.delete(merged);
      offsetLineNumbers(r.partial, task.name, lines);
      closeOpenGaps(r.partial, finishes);
      lines += r.lines;
      mergePartials(partial, r.partial);
      merged++;
    }
  };
  const spares: ArrayBuffer[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForChange = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  for (let i = 0; i < jobs; i++) {
    const slot = { worker: startWorker(), inFlight: 0 };
    slot.worker.on('message', (m: { type: string; message?: string } & Partial<BlockResult>) => {
      if (m.type === 'block-done') {
        done.set(m.seq!, { partial: m.partial!, lines: m.lines! });
        mergeReady();
        spares.push(m.spare!);
        slot.inFlight--;
      } else failure ??= new Error(m.message ?? 'worker failed');
      notify();
    });
    slot.worker.once('error', (e) => {
      failure ??= e;
      notify();
    });
    slot.worker.once('exit', () => {
      failure ??= new Error(signal.aborted ? 'interrupted' : 'worker exited');
      notify();
    });
    pool.push(slot);
  }
  const source = createReadStream(task.path, { highWaterMark: 1024 * 1024 });
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // A block holds up to one output chunk more than blockBytes: buffers that size can be reused.
  const capacity = blockBytes + GUNZIP_CHUNK_BYTES;
  let bytes = 0;
  source.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    onBytes(chunk.length);
  });
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  const onAbort = () => {
    gunzip.destroy();
    source.destroy();
    failure ??= new Error('interrupted');
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  let seq = 0;
  const send = async (block: Buffer) => {
    for (;;) {
      if (failure !== null) throw failure;
      let slot = pool[0]!;
      for (const s of pool) if (s.inFlight < slot.inFlight) slot = s;
      if (slot.inFlight < IN_FLIGHT_PER_WORKER) {
        slot.inFlight++;
        const message: BlockMessage = {
          block,
          seq: seq++,
          name: task.name,
          formatId: task.formatId,
          formatOptions: task.formatOptions,
          window: task.window,
        };
        slot.worker.postMessage(message, [block.buffer as ArrayBuffer]);
        return;
      }
      await waitForChange();
    }
  };

  let truncated: string | null = null;
  let pieces: Buffer[] = [];
  let size = 0;
  try {
    try {
      for await (const raw of gunzip) {
        const piece = raw as Buffer;
        pieces.push(piece);
        size += piece.length;
        if (size < blockBytes) continue;
        const nl = piece.lastIndexOf(10);
        if (nl < 0 && size < MAX_BLOCK_BYTES) continue;
        const tail = nl < 0 ? 0 : piece.length - nl - 1;
        pieces[pieces.length - 1] = piece.subarray(0, piece.length - tail);
        const block = joinPieces(pieces, size - tail, spares, capacity);
        pieces = tail > 0 ? [piece.subarray(piece.length - tail)] : [];
        size = tail;
        await send(block);
      }
    } catch (error) {
      if (failure !== null) throw failure;
      if (!signal.aborted) truncated = truncationReason(error);
    }
    // The rest (and, for a cut stream, every line read before the cut) is the last block.
    if (size > 0 && !signal.aborted) await send(joinPieces(pieces, size, spares, capacity));
    while (merged < seq) {
      if (failure !== null) throw failure;
      await waitForChange();
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    source.destroy();
    gunzip.destroy();
    await Promise.all(pool.map((s) => s.worker.removeAllListeners('exit').terminate()));
  }
  if (truncated !== null) partial.truncatedInputs.push({ file: task.name, reason: truncated });
  return { id: task.id, partial, lines, bytes, truncated };
}
