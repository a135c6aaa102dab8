import { isAlive } from '../../src/lab/processes.js';
import { runLab } from '../../src/lab/run.js';
import type { LabOptions, LabResult, ScenarioResult } from '../../src/lab/types.js';

/** Test-sized lab options (the deterministic mode, a 1 s backend, every scenario, 3 attempts each). */
export const TEST_LAB_OPTIONS: Omit<LabOptions, 'proxy'> = {
  mode: 'deterministic',
  backendKeepAliveMs: 1000,
  proxyIdleMs: 10_000,
  windowMs: 20,
  attempts: 3,
  timeoutMs: 60_000,
  scenarios: ['mismatch', 'fixed', 'retry-get', 'retry-post'],
  fixedMarginMs: 5000,
  capture: false,
};

/** Runs the lab in-process with test-sized defaults; returns the result and every PID it started. */
export async function runLabForTest(
  overrides: Partial<LabOptions> & Pick<LabOptions, 'proxy'>,
): Promise<{ result: LabResult; pids: number[]; progress: string[] }> {
  const progress: string[] = [];
  const result = await runLab({
    ...TEST_LAB_OPTIONS,
    ...overrides,
    progress: (line) => progress.push(line),
  });
  const pids = progress.flatMap((line) => {
    const pid = /^started .* \(pid (\d+)\)$/.exec(line)?.[1];
    return pid ? [Number(pid)] : [];
  });
  return { result, pids, progress };
}

export function scenario(result: LabResult, name: ScenarioResult['name']): ScenarioResult {
  const found = result.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`scenario ${name} missing from the result`);
  return found;
}

export function alivePids(pids: readonly number[]): number[] {
  return pids.filter(isAlive);
}
