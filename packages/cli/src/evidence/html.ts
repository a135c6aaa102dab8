import type { EvidenceReport } from '@keepalive-parity/core';
import { escapeHtml as e } from '../diagnose/html.js';

/**
 * The HTML report of `evidence`: the tables, a timeline of one race instance (every packet on its
 * connection, time relative to the request) and a histogram of idle-at-close times. Everything that
 * came from a capture (addresses, request and status lines) is HTML-escaped; no script.
 */
export function renderEvidenceHtml(report: EvidenceReport, generatedAtIso: string): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>keepalive-parity evidence</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
.server{background:#fde8e8}.client{background:#e8f0fd}.violation{color:#b00}.holds{color:#070}.unknown{color:#a60}</style></head><body>`);
  parts.push(
    `<h1>Packet-capture evidence</h1><p>${report.files.length} file(s), ${report.frames} frames, ${report.tcpSegments} TCP segments, ${report.connections} connections. Generated ${e(generatedAtIso)}.</p>`,
  );
  parts.push(`<h2>Races: ${report.racesTotal}</h2>`);
  if (report.races.length > 0) {
    parts.push(
      '<table><tr><th>connection</th><th>request at</th><th>idle before</th><th>server FIN before</th><th>server answered</th></tr>',
    );
    for (const r of report.races.slice(0, 200))
      parts.push(
        `<tr><td>${e(r.connection)}</td><td>${e(r.requestAt)}</td><td>${r.idleBeforeRequestMs ?? '—'} ms</td><td>${r.serverFinBeforeRequestMs === null ? 'no FIN before' : `${r.serverFinBeforeRequestMs} ms`}</td><td>${e(r.answer)}</td></tr>`,
      );
    parts.push('</table>');
  }
  const t = report.raceTimeline;
  if (t) {
    const race = report.races.find((r) => r.connection === t.connection);
    const zero = race
      ? (t.events.find((ev) => ev.at === race.requestAt)?.timeUs ?? t.events[0]!.timeUs)
      : t.events[0]!.timeUs;
    parts.push(
      `<h3>Timeline of one race: ${e(t.connection)}</h3><p>Every packet on the connection; time relative to the request that raced.</p>`,
    );
    parts.push(
      '<table><tr><th>t (ms)</th><th>from</th><th>flags</th><th>payload bytes</th><th>start of payload</th></tr>',
    );
    for (const ev of t.events)
      parts.push(
        `<tr class="${ev.from}"><td>${((ev.timeUs - zero) / 1000).toFixed(3)}</td><td>${e(ev.from)}</td><td>[${e(ev.flags)}]</td><td>${ev.length}</td><td>${e(ev.info ?? '')}</td></tr>`,
      );
    parts.push('</table>');
  }
  parts.push('<h2>Servers: keep-alive measured</h2>');
  parts.push(sideTable(report.servers.map((s) => ({ ...s, bound: s.keptIdleAtLeastMs }))));
  parts.push('<h2>Clients: pool idle measured</h2>');
  parts.push(sideTable(report.clients.map((c) => ({ ...c, bound: c.heldIdleAtLeastMs }))));
  for (const [who, list] of [
    ['server', report.servers],
    ['client', report.clients],
  ] as const)
    for (const s of list)
      if (s.histogram.length > 0) parts.push(histogram(`Idle at close, ${who} ${s.address}`, s.histogram));
  parts.push(
    `<h2>Hops (server keep-alive &gt;= client pool idle + ${report.marginMs} ms)</h2><table><tr><th>client</th><th>server</th><th>server keep-alive</th><th>client idle</th><th>verdict</th><th>how measured</th></tr>`,
  );
  for (const h of report.hops)
    parts.push(
      `<tr><td>${e(h.client)}</td><td>${e(h.server)}</td><td>${h.serverKeepAliveMs ?? 'unknown'}</td><td>${h.clientIdleMs ?? 'unknown'}</td><td class="${h.verdict}">${h.verdict}</td><td>${h.notes.map(e).join('<br>')}</td></tr>`,
    );
  parts.push(
    '</table><h2>Other closes</h2><table><tr><th>kind</th><th>server</th><th>connections</th><th>examples</th></tr>',
  );
  for (const o of report.otherCloses)
    parts.push(
      `<tr><td>${e(o.kind)}</td><td>${e(o.server)}</td><td>${o.count}</td><td>${o.examples.map(e).join('<br>')}</td></tr>`,
    );
  parts.push('</table>');
  if (report.diagnostics.length > 0) {
    parts.push('<h2>Problems while reading</h2><ul>');
    for (const d of report.diagnostics)
      parts.push(`<li>${e(d.file)}: byte ${d.offset}: ${e(d.message)}</li>`);
    parts.push('</ul>');
  }
  parts.push('</body></html>\n');
  return parts.join('\n');
}

function sideTable(
  rows: readonly {
    address: string;
    idleCloses: number;
    idleCloseMs: { min: number; median: number; max: number } | null;
    bound: number | null;
  }[],
): string {
  if (rows.length === 0) return '<p>none: no idle close seen</p>';
  return `<table><tr><th>address</th><th>idle closes</th><th>min ms</th><th>median ms</th><th>max ms</th><th>lower bound ms</th></tr>${rows
    .map(
      (r) =>
        `<tr><td>${e(r.address)}</td><td>${r.idleCloses}</td><td>${r.idleCloseMs?.min ?? '—'}</td><td>${r.idleCloseMs?.median ?? '—'}</td><td>${r.idleCloseMs?.max ?? '—'}</td><td>${r.bound ?? '—'}</td></tr>`,
    )
    .join('')}</table>`;
}

function histogram(title: string, bins: readonly { fromMs: number; toMs: number; count: number }[]): string {
  const width = 600;
  const height = 160;
  const max = Math.max(...bins.map((b) => b.count), 1);
  const barWidth = width / bins.length;
  const bars = bins
    .map((b, i) => {
      const h = Math.round((b.count / max) * (height - 20));
      return `<rect x="${(i * barWidth).toFixed(1)}" y="${height - 20 - h}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${h}" fill="#4a78c2"><title>${b.fromMs}–${b.toMs} ms: ${b.count}</title></rect>`;
    })
    .join('');
  const first = bins[0]!;
  const last = bins[bins.length - 1]!;
  return `<h3>${e(title)}</h3><svg width="${width}" height="${height}" role="img" aria-label="${e(title)}">${bars}<text x="0" y="${height - 4}" font-size="11">${first.fromMs} ms</text><text x="${width - 80}" y="${height - 4}" font-size="11">${last.toMs} ms</text></svg>`;
}
