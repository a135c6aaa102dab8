import {
  type ClientMeasurement,
  type EvidenceReport,
  OTHER_CLOSE_MEANINGS,
  type ServerMeasurement,
} from '@keepalive-parity/core';
import type { Palette } from '../render/color.js';

function ms(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} ms`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(3)} s`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map(
      (r) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

/** Per-server or per-client table of idle closes, with the other side's lower bound. */
function sideTable<T extends ServerMeasurement | ClientMeasurement>(
  rows: readonly T[],
  boundTitle: string,
  bound: (row: T) => number | null,
): string {
  if (rows.length === 0) return '  none: no idle close seen\n';
  return table([
    ['address', 'idle closes', 'min', 'median', 'max', 'FIN/RST', boundTitle],
    ...rows.map((r) => [
      r.address,
      String(r.idleCloses),
      ms(r.idleCloseMs?.min ?? null),
      ms(r.idleCloseMs?.median ?? null),
      ms(r.idleCloseMs?.max ?? null),
      `${r.closedWith.fin}/${r.closedWith.rst}`,
      ms(bound(r)),
    ]),
  ]);
}

/** The human view of `evidence`: races, per-server and per-client tables, hop verdicts, other closes. */
export function renderEvidence(report: EvidenceReport, warnings: readonly string[], p: Palette): string {
  let out = `Packet-capture evidence: ${report.files.length} file(s), ${report.frames} frames, ${report.tcpSegments} TCP segments, ${report.connections} connections\n`;
  out += `\n${p.bold(`Races: ${report.racesTotal}`)}${report.racesTotal > 0 ? ' — a request crossed the server’s idle close' : ' — no request crossed a server’s close'}\n`;
  if (report.races.length > 0) {
    out += table([
      ['connection', 'request at', 'idle before', 'server FIN before', 'server answered'],
      ...report.races
        .slice(0, 50)
        .map((r) => [
          r.connection,
          r.requestAt,
          ms(r.idleBeforeRequestMs),
          r.serverFinBeforeRequestMs === null ? 'no FIN before' : ms(r.serverFinBeforeRequestMs),
          r.answer,
        ]),
    ]);
    if (report.racesTotal > 50) out += `  … ${report.racesTotal - 50} more (see --json)\n`;
  }
  out += `\n${p.bold('Servers')} (keep-alive measured at server-initiated idle closes)\n`;
  out += sideTable(report.servers, 'kept idle at least', (s) => s.keptIdleAtLeastMs);
  for (const s of report.servers)
    if (s.idleCloseMs)
      out += `  → the server at ${s.address} closes idle connections after ${seconds(s.idleCloseMs.median)} (${s.idleCloses} closes, spread ${seconds(s.idleCloseMs.min)}–${seconds(s.idleCloseMs.max)})\n`;
  out += `\n${p.bold('Clients')} (pool idle measured at client-initiated idle closes)\n`;
  out += sideTable(report.clients, 'held idle at least', (c) => c.heldIdleAtLeastMs);
  out += `\n${p.bold('Hops')} (server keep-alive >= client pool idle + margin ${report.marginMs} ms, the rules of check)\n`;
  if (report.hops.length === 0) out += '  none: no idle close to measure a hop from\n';
  for (const h of report.hops) {
    const colour = h.verdict === 'violation' ? p.red : h.verdict === 'holds' ? p.green : p.yellow;
    out += `  ${h.client} → ${h.server}: server ${h.serverKeepAliveMs === null ? 'unknown' : `${h.serverKeepAliveMs} ms`}, client ${h.clientIdleMs === null ? 'unknown' : `${h.clientIdleMs} ms`}: ${colour(h.verdict)}\n`;
    for (const note of h.notes) out += `    ${note}\n`;
  }
  if (report.otherCloses.length > 0) {
    out += `\n${p.bold('Other closes')}\n`;
    for (const o of report.otherCloses) {
      const requests = o.requests
        ? ` (after ${o.requests.min === o.requests.max ? o.requests.min : `${o.requests.min}–${o.requests.max}`} requests)`
        : '';
      out += `  ${o.kind} ${o.server}: ${o.count} connection(s)${requests}: ${OTHER_CLOSE_MEANINGS[o.kind]}\n`;
    }
  }
  const problems = [
    ...report.diagnostics.map((d) => `${d.file}: byte ${d.offset}: ${d.message}`),
    ...warnings,
  ];
  if (problems.length > 0) {
    out += `\n${p.bold('Problems while reading')}\n`;
    for (const line of problems) out += `  ${line}\n`;
  }
  return out;
}
