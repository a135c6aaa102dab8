import { type EvidenceReport, nothingReadable } from '@keepalive-parity/core';

/** Diagnostics that mean part of the input was not read (a truncated last record is not one). */
export function unreadParts(report: EvidenceReport): string[] {
  return report.diagnostics
    .filter((d) => d.code !== 'truncated-record')
    .map((d) => `${d.file}: byte ${d.offset}: ${d.message}`);
}

/** A message when nothing could be read at all, else null. */
export function nothingReadableMessage(report: EvidenceReport, warnings: readonly string[]): string | null {
  if (!nothingReadable(report)) return null;
  const reasons = [
    ...report.diagnostics.map((d) => `${d.file}: byte ${d.offset}: ${d.message}`),
    ...warnings,
  ];
  return `nothing readable in the capture input${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
}
