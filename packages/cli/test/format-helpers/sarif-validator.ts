import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Microsoft's SARIF validator (`@microsoft/sarif-multitool validate`): the native binary, no shell. */
const MULTITOOL: string = createRequire(import.meta.url)('@microsoft/sarif-multitool');

export interface ValidationResult {
  readonly ruleId: string;
  readonly level: string;
  readonly message: string;
}

/**
 * Validates a SARIF document with the multitool: JSON schema (JSON1xxx), its SARIF rules (SARIF1xxx
 * errors, SARIF2xxx warnings) and GitHub code scanning's ingestion rules (GH1xxx: e.g. every result
 * needs a location, or upload-sarif rejects the whole file). Returns the results at level error and
 * warning (the multitool's defaults; notes are style advice).
 */
export function validateSarif(text: string, ruleKinds = 'Sarif;Gh'): ValidationResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'kap-sarif-'));
  try {
    const input = join(dir, 'report.sarif');
    const output = join(dir, 'validation.sarif');
    writeFileSync(input, text);
    const run = spawnSync(
      MULTITOOL,
      ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', ruleKinds],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (run.status !== 0)
      throw new Error(`sarif-multitool failed (${run.status}): ${run.stdout}${run.stderr}`);
    const log = JSON.parse(readFileSync(output, 'utf8'));
    return (log.runs[0].results ?? []).map((r: any) => ({
      ruleId: r.ruleId,
      level: r.level ?? 'warning',
      message: JSON.stringify(r.message),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
