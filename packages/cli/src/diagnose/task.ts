import { createReadStream } from 'node:fs';
import { LogAnalyzer, type PartialAnalysis } from '@keepalive-parity/core';
import { type FormatOptions, formatById } from './formats.js';
import { READ_CHUNK_BYTES, readFileRange, readLines } from './lines.js';

/** One unit of work: a whole file, or a byte range of a large plain file. Serialisable for workers. */
export interface FileTask {
  readonly id: number;
  readonly path: string;
  /** Name used in examples and messages (the path as the user gave it). */
  readonly name: string;
  readonly gzip: boolean;
  readonly formatId: string;
  readonly start?: number;
  readonly end?: number;
  readonly formatOptions: FormatOptions;
  readonly window?: TimeWindow;
  /** A large .gz read alone: decompressed by the pool, its blocks of lines parsed by all workers. */
  readonly gzipBlocks?: boolean;
}

export interface TimeWindow {
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Keep failures for the per-request join (false when the run has nothing to join with). */
  readonly keepJoinRecords?: boolean;
}

export interface TaskResult {
  readonly id: number;
  readonly partial: PartialAnalysis;
  /** Lines in this task (to offset the line numbers of the ranges after it). */
  readonly lines: number;
  readonly bytes: number;
  readonly truncated: string | null;
}

/** Runs one task in the current thread. */
export async function runFileTask(
  task: FileTask,
  onBytes?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<TaskResult> {
  // A byte range leaves its first gaps per target to be counted against the ranges before it.
  const analyzer = new LogAnalyzer({ ...task.window, deferFirstGaps: task.start !== undefined });
  analyzer.beginInput(task.name, formatById(task.formatId, task.formatOptions));
  const sink = (line: string, n: number) => analyzer.addLine(line, n);
  const opts = { ...(onBytes ? { onBytes } : {}), ...(signal ? { signal } : {}) };
  const outcome =
    task.start !== undefined && task.end !== undefined
      ? await readFileRange(task.path, task.start, task.end, sink, opts)
      : await readLines(
          createReadStream(task.path, { highWaterMark: READ_CHUNK_BYTES }),
          task.gzip,
          sink,
          opts,
        );
  if (outcome.truncated) analyzer.noteTruncated(task.name, outcome.truncated);
  return {
    id: task.id,
    partial: analyzer.toPartial(),
    lines: outcome.lines,
    bytes: outcome.bytes,
    truncated: outcome.truncated,
  };
}
