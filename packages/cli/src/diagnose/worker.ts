import { parentPort } from 'node:worker_threads';
import { type FileTask, runFileTask } from './task.js';

/** Worker-thread entry: runs file tasks posted by the pool, reports progress and results. */
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

parentPort?.on('message', async (task: FileTask) => {
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
