import { relative } from 'node:path';
import type { Palette } from '../render/color.js';
import { renderReport, reportDocument } from '../render/report.js';
import type { ScanResult } from './index.js';

/** The JSON view: `check`'s document (hops, findings) plus what only `scan` knows. */
export function scanDocument(result: ScanResult, cwd: string): object {
  const base = reportDocument(result.evaluation, 'scan') as { hops: object[] };
  return {
    ...base,
    root: relative(cwd, result.root) || '.',
    hops: base.hops.map((h, i) => ({ ...h, pairedBy: result.links[i] ?? null })),
    unpaired: result.unpaired,
    diagnostics: result.diagnostics,
    detected: result.detected,
    filesScanned: result.filesScanned,
    skipped: result.skipped,
    hopsFile: result.hopsFile,
  };
}

export function renderScan(result: ScanResult, p: Palette, cwd: string): string {
  const out: string[] = [];
  const readers = Object.entries(result.detected)
    .map(([id, files]) => `${id} ${files.length}`)
    .join(', ');
  out.push(
    p.dim(
      `scanned ${relative(cwd, result.root) || '.'}: ${result.filesScanned} files (${result.skipped.ignored} ignored by .gitignore); recognised: ${readers || 'nothing'}${result.hopsFile ? `; pairs named in ${result.hopsFile}` : ''}`,
    ),
  );
  if (result.evaluation.hops.length > 0) {
    out.push(renderReport(result.evaluation, p, 'scan').trimEnd());
    out.push('');
    out.push(p.bold('how each hop was paired'));
    for (const [i, link] of result.links.entries()) out.push(`  hop ${i + 1}  ${p.dim(link)}`);
    // Where a value was set in several places, or means something other than it says, say so.
    const notes = result.evaluation.hops.flatMap((h) => {
      const fact = h.hop.server.facts.find((f) => f.subject === 'server-keepalive');
      const wanted = (fact?.notes ?? []).filter((n) =>
        /overrides|ignored|UvicornWorker|sync worker|no effect/.test(n),
      );
      return wanted.map((n) => `  hop ${h.hop.index + 1}  ${p.dim(n)}`);
    });
    if (notes.length > 0) {
      out.push('');
      out.push(p.bold('where the server values come from'));
      out.push(...notes);
    }
  } else {
    out.push('keepalive-parity scan: no hop found (nothing routes to anything the files describe)');
  }
  if (result.unpaired.length > 0) {
    out.push('');
    out.push(
      p.bold(`unpaired (${result.unpaired.length}): found, but no pair; name pairs in keepalive-parity.yaml`),
    );
    for (const u of result.unpaired) {
      const what = u.role === 'pool' ? 'client pool' : 'server     ';
      out.push(`  ${p.dim(what)}  ${u.label}  ${p.bold(u.value)}  ${p.dim(`${u.source}: ${u.reason}`)}`);
    }
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.diagnostics.length > 0) {
    out.push('');
    out.push(
      p.bold(
        `could not read everything (${errors.length} errors, ${result.diagnostics.length - errors.length} warnings)`,
      ),
    );
    for (const d of result.diagnostics.slice(0, 50)) {
      out.push(
        `  ${d.severity === 'error' ? p.red('error  ') : p.yellow('warning')} ${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}`,
      );
    }
    if (result.diagnostics.length > 50)
      out.push(p.dim(`  ... and ${result.diagnostics.length - 50} more (see --json)`));
  }
  return `${out.join('\n')}\n`;
}
