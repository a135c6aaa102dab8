import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FileTask, runFileTask, type TaskResult } from './task.js';

/** The compiled worker entry (absent when running from sources). */
export const WORKER_PATH = fileURLToPath(new URL('./worker.js', import.meta.url));

export function startWorker(workerPath = WORKER_PATH): Worker {
  // Small young generation per worker: parsing makes short-lived garbage, and the peak RSS of the
  // whole process is what users see.
  return new Worker(workerPath, {
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
  });
}

/**
 * Runs file tasks on up to `jobs` worker threads (one task at a time per worker) and returns the
 * results in task order. Falls back to the current thread when there is one job or no compiled
 * worker (running from sources). Workers are terminated on abort and at the end.
 */
export async function runTasks(
  tasks: readonly FileTask[],
  jobs: number,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): Promise<{ results: TaskResult[]; failures: Array<{ task: FileTask; message: string }> }> {
  const results: TaskResult[] = [];
  const failures: Array<{ task: FileTask; message: string }> = [];
  const workerPath = WORKER_PATH;
  const canUseWorkers = jobs > 1 && existsSync(workerPath);
  const only = tasks.length === 1 ? tasks[0]! : undefined;
  if (canUseWorkers && only?.gzipBlocks === true && !signal.aborted) {
    // One large .gz: decompressed here, its blocks of lines parsed by the workers.
    const { runGzipBlocks } = await import('./gzip-blocks.js');
    try {
      results.push(await runGzipBlocks(only, jobs, onBytes, signal));
    } catch (error) {
      failures.push({ task: only, message: (error as Error).message });
    }
    return { results, failures };
  }
  const useWorkers = canUseWorkers && tasks.length > 1;
  if (!useWorkers) {
    for (const task of tasks) {
      if (signal.aborted) break;
      try {
        results.push(await runFileTask(task, onBytes, signal));
      } catch (error) {
        failures.push({ task, message: (error as Error).message });
      }
    }
    return { results: results.sort((a, b) => a.id - b.id), failures };
  }
  const queue = [...tasks];
  const workers: Worker[] = [];
  const stopAll = () => {
    for (const w of workers) void w.terminate();
  };
  signal.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(
      Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
        const worker = startWorker(workerPath);
        workers.push(worker);
        try {
          for (let task = queue.shift(); task !== undefined && !signal.aborted; task = queue.shift()) {
            const current = task;
            await new Promise<void>((resolve) => {
              const onMessage = (m: {
                type: string;
                bytes?: number;
                result?: TaskResult;
                message?: string;
              }) => {
                if (m.type === 'bytes') onBytes(m.bytes ?? 0);
                else {
                  if (m.type === 'done') results.push(m.result!);
                  else failures.push({ task: current, message: m.message ?? 'worker failed' });
                  cleanup();
                  resolve();
                }
              };
              const onExit = () => {
                failures.push({ task: current, message: signal.aborted ? 'interrupted' : 'worker exited' });
                cleanup();
                resolve();
              };
              const onError = (e: Error) => {
                failures.push({ task: current, message: e.message });
                cleanup();
                resolve();
              };
              const cleanup = () => {
                worker.off('message', onMessage);
                worker.off('exit', onExit);
                worker.off('error', onError);
              };
              worker.on('message', onMessage);
              worker.once('exit', onExit);
              worker.once('error', onError);
              worker.postMessage(current);
            });
          }
        } finally {
          await worker.terminate();
        }
      }),
    );
  } finally {
    signal.removeEventListener('abort', stopAll);
    stopAll();
  }
  return { results: results.sort((a, b) => a.id - b.id), failures };
}
