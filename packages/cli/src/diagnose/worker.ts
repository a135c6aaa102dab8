import { parentPort } from 'node:worker_threads';
import { type BlockMessage, runBlock } from './gzip-blocks.js';
import { type FileTask, runFileTask } from './task.js';

/** Worker-thread entry: runs file tasks (or blocks of lines) posted by the pool, reports progress and results. */
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

parentPort?.on('message', async (message: FileTask | BlockMessage) => {
  if ('block' in message) {
    try {
      const result = runBlock(message);
      parentPort?.postMessage({ type: 'block-done', ...result }, [result.spare]);
    } catch (error) {
      parentPort?.postMessage({ type: 'error', message: (error as Error).message });
    }
    return;
  }
  const task = message;
  let pending = 0;
  try {
    const result = await runFileTask(task, (bytes) => {
      pending += bytes;
      if (pending >= PROGRESS_EVERY_BYTES) {
        parentPort?.postMessage({ type: 'bytes', bytes: pending });
        pending = 0;
      }
    });
    if (pending > 0) parentPort?.postMessage({ type: 'bytes', bytes: pending });
    parentPort?.postMessage({ type: 'done', result });
  } catch (error) {
    parentPort?.postMessage({ type: 'error', id: task.id, message: (error as Error).message });
  }
});
