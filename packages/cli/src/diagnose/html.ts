import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Diagnosis } from '@keepalive-parity/core';
import { PHASE_NOTE, PHASE_ORDER } from './render.js';
import type { InputSummary } from './run.js';

/**
 * `--html report.html`: one self-contained page (uPlot's script and CSS inlined, no network) with
 * 5xx by generator over time and the LB 502 rate by idle gap. Every string that came from a log is
 * HTML-escaped; the chart data is embedded as JSON with `<`, `>`, `&` and line separators escaped,
 * so no log text can close the script element.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe to place inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

const VERDICT_LABEL: Record<Diagnosis['verdict'], string> = {
  'keepalive-race': 'Keep-alive race',
  'not-this-trap': 'Not this trap',
  inconclusive: 'Inconclusive',
};

export function renderHtml(d: Diagnosis, inputs: readonly InputSummary[], generatedAtIso: string): string {
  const { js, css } = uplotAssets();
  const e = escapeHtml;
  const series = {
    t: d.perMinute.map((m) => m.minuteStartMs / 1000),
    requests: d.perMinute.map((m) => m.requests),
    lb5xx: d.perMinute.map((m) => m.lb5xx),
    target5xx: d.perMinute.map((m) => m.target5xx),
    race: d.perMinute.map((m) => m.raceCandidates),
    gapLabels: d.idleGaps.buckets.map((b) => b.label),
    gapRequests: d.idleGaps.buckets.map((b) => b.requests),
    gapRate: d.idleGaps.buckets.map((b) => (b.raceRate === null ? null : b.raceRate * 100)),
  };
  const exampleText = (file: string, line: number) =>
    d.examples.find((x) => x.file === file && x.line === line)?.text;
  const reasons = d.reasons
    .map(
      (r) =>
        `<li><p>${e(r.message)}</p>${
          r.examples.length > 0
            ? `<ul class="ex">${r.examples
                .map((x) => {
                  const text = exampleText(x.file, x.line);
                  return `<li><code>${e(`${x.file}:${x.line}`)}</code>${text ? ` <pre>${e(text)}</pre>` : ''}</li>`;
                })
                .join('')}</ul>`
            : ''
        }</li>`,
    )
    .join('\n');
  const counts = d.counts
    .map(
      (c) =>
        `<tr><td>${e(c.generator)}</td><td>${c.status ?? '-'}</td><td>${e(c.cause ?? '-')}</td><td class="n">${c.count}</td></tr>`,
    )
    .join('\n');
  const inputRows = inputs
    .map(
      (i) =>
        `<tr><td>${e(i.name)}</td><td>${e(i.format ?? '-')}</td><td class="n">${i.lines}</td><td>${e(i.note ?? '')}</td></tr>`,
    )
    .join('\n');
  const targetRows = d.idleGaps.perTarget
    .map((t) => {
      const requests = t.buckets.reduce((sum, b) => sum + b.requests, 0);
      const failures = t.buckets.reduce((sum, b) => sum + b.raceCandidates, 0);
      const worst = t.buckets
        .filter((b) => b.raceCandidates > 0)
        .map((b) => `${b.label}: ${b.raceCandidates}/${b.requests}`);
      return `<tr><td>${e(t.target)}</td><td class="n">${requests}</td><td class="n">${failures}</td><td>${e(worst.join(', '))}</td></tr>`;
    })
    .join('\n');
  const malformed = d.malformedSamples
    .map(
      (s) =>
        `<tr><td><code>${e(`${s.file}:${s.line}`)}</code></td><td>${e(s.reason)}</td><td><pre>${e(s.text)}</pre></td></tr>`,
    )
    .join('\n');
  const phaseRows = [
    ...PHASE_ORDER.filter((ph) => (d.phases[ph] ?? 0) > 0).map(
      (ph) => `<tr><td>${e(ph)}</td><td>${e(PHASE_NOTE[ph])}</td><td class="n">${d.phases[ph]}</td></tr>`,
    ),
    `<tr><td>closed mid-response</td><td>upstream-closed-mid-response: never the race</td><td class="n">${d.totals.midResponse}</td></tr>`,
  ].join('\n');
  const joinText =
    d.join.events > 0 && d.join.requests > 0
      ? `<p><b>Per-request join:</b> ${d.join.joined} of ${d.join.requests} failed or retried requests joined to their error-log line; ${d.join.unjoinedEvents} error-log events unmatched; ${d.join.targetByErrorLog} 5xx attributed to the target (no upstream error logged).</p>`
      : '';
  const estimate = d.keepAliveEstimate
    ? `<p><b>Estimated backend keep-alive:</b> ${d.keepAliveEstimate.ms} ms (${e(d.keepAliveEstimate.confidence)} confidence). ${e(d.keepAliveEstimate.statement)}</p>`
    : '<p><b>Estimated backend keep-alive:</b> not enough LB-generated 502s with a known idle gap.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>keepalive-parity diagnose report</title>
<style>${css}
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
.verdict{font-size:1.2em;padding:.5em 1em;border-radius:6px;display:inline-block}
.keepalive-race{background:#fde2e1}.not-this-trap{background:#e1f5e4}.inconclusive{background:#fff4d6}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left}.n{text-align:right}
pre{white-space:pre-wrap;word-break:break-all;margin:.2em 0;font-size:12px;background:#f6f6f6;padding:.3em}
ul.ex{list-style:none;padding-left:1em}
</style></head><body>
<h1>keepalive-parity diagnose</h1>
<p>Generated ${e(generatedAtIso)}. ${d.requests} requests, ${d.lines} lines, ${d.malformedLines} malformed.</p>
<p class="verdict ${d.verdict}">${e(VERDICT_LABEL[d.verdict])}</p>
<ul>${reasons}</ul>
${estimate}
<h2>5xx by generator over time (per minute)</h2><div id="time"></div>
<h2>LB-generated 502 rate by idle gap before the request</h2><div id="gaps"></div>
<h2>Idle gaps per target (20 busiest)</h2>
<table><tr><th>target</th><th>requests with a gap</th><th>LB 502</th><th>LB 502 by gap bucket</th></tr>${targetRows}</table>
<h2>Failures by phase</h2>
<table><tr><th>phase</th><th>meaning</th><th>count</th></tr>${phaseRows}</table>
${joinText}
<h2>5xx by generator × status × cause</h2>
<table><tr><th>generator</th><th>status</th><th>cause</th><th>count</th></tr>${counts}</table>
<h2>Inputs</h2>
<table><tr><th>input</th><th>format</th><th>lines</th><th>note</th></tr>${inputRows}</table>
${malformed ? `<h2>Malformed lines (samples)</h2><table>${malformed}</table>` : ''}
<script type="application/json" id="kap-data">${scriptJson(series)}</script>
<script>${js}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('kap-data').textContent);
  var width = Math.min(1060, document.body.clientWidth - 20);
  if (data.t.length > 0) {
    new uPlot({
      width: width, height: 300,
      scales: { x: { time: true } },
      series: [{}, { label: 'LB 5xx', stroke: '#d62728', width: 2 }, { label: 'target 5xx', stroke: '#1f77b4', width: 2 },
        { label: 'LB 502 (race-like)', stroke: '#ff7f0e', dash: [4, 4] }, { label: 'requests', stroke: '#999', scale: 'req' }],
      axes: [{}, { label: '5xx per minute' }, { side: 1, scale: 'req', label: 'requests per minute', grid: { show: false } }]
    }, [data.t, data.lb5xx, data.target5xx, data.race, data.requests], document.getElementById('time'));
  }
  var idx = data.gapLabels.map(function (_, i) { return i; });
  new uPlot({
    width: width, height: 300,
    scales: { x: { time: false } },
    series: [{ value: function (u, v) { return data.gapLabels[v] || ''; } },
      { label: 'LB 502 per 100 requests', stroke: '#d62728', fill: 'rgba(214,39,40,.2)', paths: uPlot.paths.bars({ size: [0.6] }) },
      { label: 'requests', stroke: '#999', scale: 'req' }],
    axes: [{ values: function (u, vals) { return vals.map(function (v) { return data.gapLabels[v] || ''; }); }, label: 'idle gap' },
      { label: '% LB 502' }, { side: 1, scale: 'req', label: 'requests', grid: { show: false } }]
  }, [idx, data.gapRate, data.gapRequests], document.getElementById('gaps'));
})();
</script>
</body></html>
`;
}
