import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  closeOpenGaps,
  type Diagnosis,
  diagnose,
  emptyPartial,
  type GapFinish,
  KeepaliveParityError,
  LogAnalyzer,
  type LogFormat,
  mergePartials,
  offsetLineNumbers,
  type PartialAnalysis,
} from '@keepalive-parity/core';
import type { CliContext } from '../context.js';
import type { OutputStream } from '../fd-output.js';
import { chooseFormat, type FormatOptions } from './formats.js';
import { GZIP_SPLIT_BYTES } from './gzip-blocks.js';
import { expandInputs, type InputSpec } from './inputs.js';
import { isGzip, readLines } from './lines.js';
import { runTasks } from './pool.js';
import { Progress } from './progress.js';
import type { FileTask, TimeWindow } from './task.js';

/** Orchestrates a diagnose run: inputs → format per input → parallel tasks → merged diagnosis. */

const HEAD_BYTES = 64 * 1024;
const DETECT_LINES = 30;
const MAX_LISTED_INPUTS = 1000;
/** Plain files at least this large are split into byte ranges read by several workers. */
export const RANGE_SPLIT_BYTES = 64 * 1024 * 1024;

export interface AnalyzeOptions {
  readonly inputs: readonly string[];
  readonly formatOptions: FormatOptions;
  readonly window: TimeWindow;
  readonly jobs?: number | undefined;
  readonly progress: boolean;
}

export interface InputSummary {
  readonly name: string;
  readonly format: string | null;
  readonly bytes: number;
  readonly lines: number;
  readonly note?: string | undefined;
}

export interface AnalyzeResult {
  readonly diagnosis: Diagnosis;
  readonly inputs: readonly InputSummary[];
  readonly interrupted: boolean;
}

function headLines(buffer: Buffer, whole: boolean): string[] {
  const lines = buffer.toString('utf8').split('\n');
  if (!whole) lines.pop(); // the last one may be cut by the head size
  return lines.filter((l) => l.trim() !== '').slice(0, DETECT_LINES);
}

async function readHead(path: string, size: number): Promise<{ gzip: boolean; lines: string[] }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (isGzip(head)) {
      let text: Buffer;
      try {
        text = gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: accept a cut stream */ });
      } catch {
        text = Buffer.alloc(0);
      }
      return { gzip: true, lines: headLines(text, false) };
    }
    return { gzip: false, lines: headLines(head, bytesRead >= size) };
  } finally {
    await handle.close();
  }
}

/** Feeds a stream whose format is detected from its first lines (stdin, S3 objects). */
class DetectingSink {
  private buffered: Array<[string, number]> = [];
  private format: LogFormat | null | undefined;
  constructor(
    private readonly analyzer: LogAnalyzer,
    private readonly name: string,
    private readonly options: FormatOptions,
  ) {}
  add = (line: string, n: number): void => {
    if (this.format !== undefined) {
      if (this.format !== null) this.analyzer.addLine(line, n);
      return;
    }
    if (line.trim() !== '') this.buffered.push([line, n]);
    if (this.buffered.length >= DETECT_LINES) this.decide();
  };
  private decide(): void {
    this.format = chooseFormat(
      this.buffered.map(([l]) => l),
      this.options,
    );
    if (this.format !== null) {
      this.analyzer.beginInput(this.name, this.format);
      for (const [l, n] of this.buffered) this.analyzer.addLine(l, n);
    }
    this.buffered = [];
  }
  finish(): LogFormat | null {
    if (this.format === undefined) this.decide();
    return this.format ?? null;
  }
}

async function analyzeStream(
  name: string,
  body: Readable,
  gzipHint: boolean | null,
  options: AnalyzeOptions,
  progress: Progress,
  signal: AbortSignal,
): Promise<{ partial: PartialAnalysis; summary: InputSummary }> {
  const analyzer = new LogAnalyzer(options.window);
  const sink = new DetectingSink(analyzer, name, options.formatOptions);
  // Sniff gzip from the first chunk when the name does not say.
  let gzip = gzipHint;
  let source = body;
  if (gzip === null) {
    const first: Buffer | null = await new Promise((resolve) => {
      const onReadable = () => {
        body.off('end', onEnd);
        resolve(body.read() as Buffer | null);
      };
      const onEnd = () => {
        body.off('readable', onReadable);
        resolve(null);
      };
      body.once('readable', onReadable);
      body.once('end', onEnd);
    });
    if (first === null) {
      return { partial: emptyPartial(), summary: { name, format: null, bytes: 0, lines: 0, note: 'empty' } };
    }
    gzip = isGzip(first);
    body.unshift(first);
    source = body;
  }
  const outcome = await readLines(source, gzip, sink.add, { onBytes: (b) => progress.add(b), signal });
  const format = sink.finish();
  if (outcome.truncated) analyzer.noteTruncated(name, outcome.truncated);
  if (format === null && outcome.lines > 0) analyzer.noteUnreadable(name, 'log format not recognised');
  return {
    partial: analyzer.toPartial(),
    summary: {
      name,
      format: format?.id ?? null,
      bytes: outcome.bytes,
      lines: outcome.lines,
      note: outcome.truncated ?? (format === null && outcome.lines > 0 ? 'format not recognised' : undefined),
    },
  };
}

export async function analyze(
  options: AnalyzeOptions,
  context: {
    cwd: string;
    stdin: NodeJS.ReadableStream;
    stderr: OutputStream;
    signal: AbortSignal;
    onProgress?: CliContext['onProgress'];
  },
): Promise<AnalyzeResult> {
  const specs = expandInputs(options.inputs, context.cwd);
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  // Tests lower the split size to exercise byte ranges on small files.
  const rangeSplitBytes = Number(process.env.KEEPALIVE_PARITY_DIAGNOSE_RANGE_BYTES) || RANGE_SPLIT_BYTES;
  const files = specs.filter((s): s is Extract<InputSpec, { kind: 'file' }> => s.kind === 'file');
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const progress = new Progress(context.stderr, options.progress, totalBytes, context.onProgress);
  const summaries: InputSummary[] = [];
  const merged = emptyPartial();

  // Files: detect each format from its head, then split into tasks.
  const tasks: FileTask[] = [];
  // One input has nothing to join with, unless it holds both kinds of lines (Caddy's default log).
  const keepJoinRecords = specs.length > 1 || specs.some((s) => s.kind !== 'file');
  const taskFile = new Map<number, number>(); // task id → index in summaries
  for (const spec of files) {
    if (spec.size === 0) {
      summaries.push({ name: spec.name, format: null, bytes: 0, lines: 0, note: 'empty' });
      continue;
    }
    let head: { gzip: boolean; lines: string[] };
    try {
      head = await readHead(spec.path, spec.size);
    } catch (error) {
      throw new KeepaliveParityError(
        'KAP_INPUT_INVALID',
        `cannot read ${spec.name}: ${(error as Error).message}`,
        {
          file: spec.name,
        },
      );
    }
    const format = chooseFormat(head.lines, options.formatOptions);
    if (format === null) {
      const first = head.lines[0]?.slice(0, 120) ?? '';
      merged.unreadableInputs.push({
        file: spec.name,
        reason: `log format not recognised (first line: ${JSON.stringify(first)})`,
      });
      summaries.push({
        name: spec.name,
        format: null,
        bytes: spec.size,
        lines: 0,
        note: 'format not recognised',
      });
      continue;
    }
    const index = summaries.length;
    summaries.push({ name: spec.name, format: format.id, bytes: spec.size, lines: 0 });
    const base = {
      path: spec.path,
      name: spec.name,
      gzip: head.gzip,
      formatId: format.id,
      formatOptions: options.formatOptions,
      window: { ...options.window, keepJoinRecords: keepJoinRecords || format.eventsInSameFile === true },
    };
    if (!head.gzip && spec.size >= rangeSplitBytes && jobs > 1) {
      // Four ranges per worker: a worker slowed by other work on the machine leaves less of the file
      // to the last one (each range's first gaps are closed at the merge, so more ranges cost nothing).
      const parts = Math.min(jobs * 4, Math.ceil(spec.size / Math.max(1, rangeSplitBytes / 4)));
      const step = Math.ceil(spec.size / parts);
      for (let start = 0; start < spec.size; start += step) {
        const id = tasks.length;
        tasks.push({ ...base, id, start, end: Math.min(spec.size, start + step) });
        taskFile.set(id, index);
      }
    } else {
      const id = tasks.length;
      tasks.push({ ...base, id });
      taskFile.set(id, index);
    }
  }

  // One large .gz alone: its blocks of lines are spread over the workers (a folder of them is
  // spread one file per task).
  const gzipSplitBytes = Number(process.env.KEEPALIVE_PARITY_DIAGNOSE_GZIP_SPLIT_BYTES) || GZIP_SPLIT_BYTES;
  const onlyFile = tasks.length === 1 ? files.find((f) => f.path === tasks[0]!.path) : undefined;
  if (jobs > 1 && tasks[0]?.gzip === true && onlyFile !== undefined && onlyFile.size >= gzipSplitBytes) {
    tasks[0] = { ...tasks[0], gzipBlocks: true };
  }
  const { results, failures } = await runTasks(tasks, jobs, (b) => progress.add(b), context.signal);
  const lineOffsets = new Map<number, number>();
  const gapFinishes = new Map<number, Map<string, GapFinish>>();
  const summaryLines = new Map<number, number>();
  for (const result of results) {
    const fileIndex = taskFile.get(result.id)!;
    const task = tasks[result.id]!;
    const offset = lineOffsets.get(fileIndex) ?? 0;
    if (task.start !== undefined) {
      offsetLineNumbers(result.partial, task.name, offset);
      // The idle gaps of each range's first requests, against the ranges before it.
      let finishes = gapFinishes.get(fileIndex);
      if (finishes === undefined) {
        finishes = new Map();
        gapFinishes.set(fileIndex, finishes);
      }
      closeOpenGaps(result.partial, finishes);
    }
    lineOffsets.set(fileIndex, offset + result.lines);
    summaryLines.set(fileIndex, (summaryLines.get(fileIndex) ?? 0) + result.lines);
    mergePartials(merged, result.partial);
    if (result.truncated) {
      const s = summaries[fileIndex]!;
      summaries[fileIndex] = { ...s, note: result.truncated };
    }
  }
  for (const [i, lines] of summaryLines) summaries[i] = { ...summaries[i]!, lines };
  for (const f of failures) merged.unreadableInputs.push({ file: f.task.name, reason: f.message });

  // Streams: stdin and S3, one after another in this thread.
  for (const spec of specs) {
    if (context.signal.aborted) break;
    if (spec.kind === 'stdin') {
      const { partial, summary } = await analyzeStream(
        '-',
        context.stdin as Readable,
        null,
        options,
        progress,
        context.signal,
      );
      mergePartials(merged, partial);
      summaries.push(summary);
    } else if (spec.kind === 's3') {
      const { forEachS3Object } = await import('./s3.js');
      const { listed, skipped } = await forEachS3Object(
        spec.bucket,
        spec.prefix,
        options.window,
        async (object, body) => {
          const name = `s3://${spec.bucket}/${object.key}`;
          const { partial, summary } = await analyzeStream(
            name,
            body,
            object.key.endsWith('.gz') ? true : null,
            options,
            progress,
            context.signal,
          );
          mergePartials(merged, partial);
          summaries.push(summary);
        },
        context.signal,
      );
      summaries.push({
        name: spec.name,
        format: null,
        bytes: 0,
        lines: 0,
        note: `${listed} objects listed, ${skipped} skipped by --since/--until`,
      });
    }
  }
  progress.done();
  const recognised = summaries.some((s) => s.format !== null);
  if (!recognised && specs.length > 0 && !context.signal.aborted) {
    const detail = merged.unreadableInputs.map((u) => `${u.file}: ${u.reason}`).join('; ');
    throw new KeepaliveParityError(
      'KAP_INPUT_INVALID',
      `no input in a known log format${detail ? ` (${detail})` : ''}; use --format (see --help for the list)`,
      { file: specs[0]!.name },
    );
  }
  assertSomethingParsed(merged, summaries, options.formatOptions, context.signal.aborted);
  // Thousands of S3 objects: list the first ones and say how many there were.
  const inputs =
    summaries.length > MAX_LISTED_INPUTS
      ? [
          ...summaries.slice(0, MAX_LISTED_INPUTS),
          { name: `(${summaries.length - MAX_LISTED_INPUTS} more inputs)`, format: null, bytes: 0, lines: 0 },
        ]
      : summaries;
  return { diagnosis: diagnose(merged), inputs, interrupted: context.signal.aborted };
}

/**
 * A tool that cannot read its input must say so: when the recognised (or forced) formats turned
 * not one line into a request or an upstream-error event, the run fails with exit 2 instead of
 * giving a verdict on nothing. Error logs whose lines are all unrelated messages (notices, static
 * file errors) are read, not unreadable, so they do not count as "nothing parsed".
 */
function assertSomethingParsed(
  merged: PartialAnalysis,
  summaries: readonly InputSummary[],
  formatOptions: FormatOptions,
  aborted: boolean,
): void {
  const records = merged.requests + Object.values(merged.upstreamErrors).reduce((s, v) => s + v, 0);
  if (aborted || records > 0 || merged.lines === 0 || merged.outsideWindow > 0) return;
  const readAsErrorLog = Object.keys(merged.errorLogSpans).length > 0 && merged.malformedLines === 0;
  if (readAsErrorLog) return;
  const formats = [...new Set(summaries.map((s) => s.format).filter((f) => f !== null))].join(', ');
  const sample = merged.malformedSamples[0];
  const files = summaries.filter((s) => s.format !== null).map((s) => s.name);
  throw new KeepaliveParityError(
    'KAP_INPUT_INVALID',
    `nothing could be read: none of the ${merged.lines} lines of ${files.join(', ')} parsed as ${formats}${formatOptions.forcedFormat ? ` (forced with --format ${formatOptions.forcedFormat})` : ''}${sample ? `; ${sample.file}:${sample.line}: ${sample.reason}` : ''}. Check --format / --nginx-log-format against the file (see --help for the formats).`,
    { file: sample?.file ?? files[0] ?? '-', ...(sample ? { line: sample.line } : {}) },
  );
}
