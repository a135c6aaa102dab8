import type { MetricsDiagnosis, MetricsInput } from '@keepalive-parity/core';
import { escapeHtml as e, scriptJson, uplotAssets } from '../diagnose/html.js';

/**
 * The metrics chart of the HTML report: LB 5xx (and the race's form), target 5xx and requests per
 * minute. A section appended to diagnose's log report, or a page of its own when only metrics were
 * read. Names and sources are HTML-escaped; the data is JSON safe inside a <script> element.
 */

const LABEL: Record<MetricsDiagnosis['verdict'], string> = {
  'keepalive-race': 'Keep-alive race (metrics)',
  'not-this-trap': 'Not this trap (metrics)',
  inconclusive: 'Inconclusive (metrics)',
};

function section(d: MetricsDiagnosis, inputs: readonly MetricsInput[]): { html: string; script: string } {
  const perMin = 60_000 / d.periodMs;
  const scale = (v: number | null) => (v === null ? null : v * perMin);
  const data = {
    t: d.rows.map((r) => r.tMs / 1000),
    lb5xx: d.rows.map((r) => scale(r.lb5xx ?? r.any5xx)),
    race: d.rows.map((r) => scale(r.raceErrors)),
    target5xx: d.rows.map((r) => scale(r.target5xx)),
    requests: d.rows.map((r) => scale(r.requests)),
  };
  const sources = inputs
    .map(
      (i) =>
        `<li><code>${e(i.name)}</code>: ${e(i.resource)}<ul>${i.series.map((s) => `<li>${e(s.kind)}: <code>${e(s.source)}</code></li>`).join('')}${i.missing.map((m) => `<li>missing ${e(m.kind)}: <code>${e(m.source)}</code> (${e(m.reason)})</li>`).join('')}</ul></li>`,
    )
    .join('');
  const html = `<h2>Metrics</h2>
<p class="verdict ${d.verdict}">${e(LABEL[d.verdict])}</p>
<ul>${d.reasons.map((r) => `<li><p>[${e(r.code)}] ${e(r.message)}</p></li>`).join('')}</ul>
<h3>LB 5xx, target 5xx and requests per minute</h3><div id="kap-metrics"></div>
<ul>${sources}</ul>
<script type="application/json" id="kap-metrics-data">${scriptJson(data)}</script>`;
  const script = `<script>
(function () {
  var data = JSON.parse(document.getElementById('kap-metrics-data').textContent);
  if (data.t.length === 0) return;
  new uPlot({
    width: Math.min(1060, document.body.clientWidth - 20), height: 300,
    scales: { x: { time: true } },
    series: [{}, { label: 'LB 5xx', stroke: '#d62728', width: 2 }, { label: 'LB errors of the race form', stroke: '#ff7f0e', dash: [4, 4] },
      { label: 'target 5xx', stroke: '#1f77b4', width: 2 }, { label: 'requests', stroke: '#999', scale: 'req' }],
    axes: [{}, { label: 'per minute' }, { side: 1, scale: 'req', label: 'requests per minute', grid: { show: false } }]
  }, [data.t, data.lb5xx, data.race, data.target5xx, data.requests], document.getElementById('kap-metrics'));
})();
</script>`;
  return { html, script };
}

/** Appends the metrics section to diagnose's log report (whose page already carries uPlot). */
export function appendMetricsHtml(
  page: string,
  d: MetricsDiagnosis,
  inputs: readonly MetricsInput[],
): string {
  const { html, script } = section(d, inputs);
  const at = page.lastIndexOf('</body>');
  return `${page.slice(0, at)}${html}\n${script}\n${page.slice(at)}`;
}

/** A page of its own when only metrics were read. */
export function renderMetricsHtml(
  d: MetricsDiagnosis,
  inputs: readonly MetricsInput[],
  generatedAtIso: string,
): string {
  const { js, css } = uplotAssets();
  const { html, script } = section(d, inputs);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>keepalive-parity diagnose report (metrics)</title>
<style>${css}
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
.verdict{font-size:1.2em;padding:.5em 1em;border-radius:6px;display:inline-block}
.keepalive-race{background:#fde2e1}.not-this-trap{background:#e1f5e4}.inconclusive{background:#fff4d6}
</style></head><body>
<h1>keepalive-parity diagnose</h1>
<p>Generated ${e(generatedAtIso)}.</p>
${html}
<script>${js}</script>
${script}
</body></html>
`;
}
