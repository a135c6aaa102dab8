/** The lab's result as a human report (a Markdown table and an explanation) and as JSON. */
import type { Palette } from '../render/color.js';
import type { LabResult, ScenarioResult } from './types.js';

function ms(value: number | null): string {
  if (value === null) return '?';
  if (value >= 1000 && value % 1000 === 0) return `${value / 1000} s`;
  return Number.isInteger(value) ? `${value} ms` : `${value.toFixed(1)} ms`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

function shorten(text: string, max = 90): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function proxy502Cell(s: ScenarioResult): string {
  const retried = s.retried !== null && s.retried > 0 ? ` (${s.retried} retried)` : '';
  const other = s.otherFailures > 0 ? ` + ${s.otherFailures} other failures` : '';
  return `${s.proxy502}${retried}${other}`;
}

function handlerCell(s: ScenarioResult): string {
  const failed = s.proxy502 + s.otherFailures;
  if (failed > 0) return `${s.failedWithHandler} for ${failed} failed`;
  if (s.retried !== null && s.retried > 0 && s.maxHandlerCallsPerRequest === 1)
    return 'none failed; each request ran once';
  return 'none failed';
}

export function renderLab(result: LabResult, p: Palette): string {
  const lines: string[] = [];
  const version = result.proxy.version ? ` ${result.proxy.version}` : '';
  lines.push(
    p.bold(`keepalive-parity lab: ${result.proxy.displayName}${version}, ${result.mode} mode`) +
      (result.interrupted ? p.yellow(' (interrupted: partial results)') : ''),
  );
  lines.push('');
  const b = result.backend;
  lines.push(
    `backend: ${b.kind === 'node-stock' ? 'a stock Node http.Server, keepAliveTimeout' : 'keep-alive'} configured ${ms(b.configuredKeepAliveMs)}, measured ${ms(b.measuredKeepAliveMs)}` +
      ` (its idle timer, calibrated before the scenarios; the probe saw the close after ${ms(b.probeMeasuredCloseMs)})`,
  );
  lines.push(
    `proxy:   one pooled upstream connection, upstream idle ${ms(result.proxyIdleMs)}` +
      (result.proxy.bin ? ` (${result.proxy.bin})` : ''),
  );
  if (result.mode === 'deterministic' && b.closeLagMs > 0) {
    lines.push(
      `timing:  each test request is sent ${ms(result.gapMs)} after the previous response on the pooled connection, ` +
        `inside the backend's ${b.closeLagMs} ms late-close window`,
    );
  } else if (result.mode === 'natural') {
    lines.push(
      `timing:  gaps swept in 0.5 ms steps from ${(-0.4 * result.windowMs).toFixed(1)} to +${(0.6 * result.windowMs).toFixed(1)} ms around the measured keep-alive, shuffled`,
    );
  }
  lines.push('');
  lines.push(
    '| scenario | method | requests | proxy 502 | backend handler calls for the failed requests | proxy log says |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const s of result.scenarios) {
    const mark = s.asExpected ? '' : ' ⚠';
    lines.push(
      `| ${cell(s.title)}${mark} | ${s.method} | ${s.requests} | ${proxy502Cell(s)} | ${handlerCell(s)} | ${
        s.proxyLogSays ? `\`${cell(shorten(s.proxyLogSays))}\`` : ''
      } |`,
    );
  }
  lines.push('');
  lines.push(...explain(result, p));
  return `${lines.join('\n')}\n`;
}

function explain(result: LabResult, p: Palette): string[] {
  const out: string[] = [];
  const byName = new Map(result.scenarios.map((s) => [s.name, s]));
  const mismatch = byName.get('mismatch');
  const fixed = byName.get('fixed');
  const retryGet = byName.get('retry-get');
  const retryPost = byName.get('retry-post');
  const proxy = result.proxy.displayName;
  out.push(p.bold('What happened'));
  const b = result.backend;
  if (b.kind === 'node-stock' && b.measuredKeepAliveMs !== null) {
    out.push(
      `- calibration: the stock Node server, configured with keepAliveTimeout ${ms(b.configuredKeepAliveMs)}, closed idle connections after ${ms(b.measuredKeepAliveMs)}` +
        (b.measuredKeepAliveMs - b.configuredKeepAliveMs > 500
          ? ' (Node 20 arms its idle timer at keepAliveTimeout + 1 s): a lab or a diagnosis that trusted the configured value would aim 1 s early and see nothing.'
          : '.'),
    );
  }
  if (mismatch) {
    if (mismatch.proxy502 > 0) {
      out.push(
        `- mismatch: ${mismatch.proxy502} of ${mismatch.requests} requests got a 502 from ${proxy}, and the backend's handler ran ` +
          `${mismatch.failedWithHandler} times for them. The proxy sent each one on its pooled connection just as the ` +
          'backend was closing that connection for being idle; the backend never read the request (its close sent an RST), ' +
          'so the proxy answered 502 itself. Nothing in the application failed: this is the "phantom" 502.',
      );
    } else {
      out.push(
        `- mismatch: no 502 in ${mismatch.requests} requests${mismatch.stoppedEarly ? ` (${mismatch.stoppedEarly})` : ''}. ` +
          'The proxy saw the backend close each time and reconnected: the race needs a request inside a window of a few ms.',
      );
    }
  }
  if (fixed) {
    out.push(
      `- fixed: with the backend keeping idle connections for ${ms(fixed.backendKeepAliveMs)} (>= proxy idle ${ms(fixed.proxyIdleMs)} + margin), ` +
        `the same timing gave ${fixed.proxy502} 502s; ${fixed.reusedPooledConnection} of ${fixed.requests} requests reused the pooled connection safely.`,
    );
  }
  if (retryGet) {
    const retried = retryGet.retried === null ? '' : ` (${retryGet.retried} retried)`;
    out.push(
      `- retry, GET: ${retryGet.proxy502} 502s${retried}; ${retryGet.notes[0] ?? ''} Every request ran its handler at most ${retryGet.maxHandlerCallsPerRequest === 1 ? 'once' : `${retryGet.maxHandlerCallsPerRequest} times`}: the failed attempt never reached the application.`,
    );
    if (retryGet.proxy502 === 0 && retryGet.proxyLogSays) {
      out.push(
        `  The proxy still logged the upstream error for the retried requests ("${retryGet.proxyLogSays}") although the client got 200: error-log lines with no matching 502 are the fingerprint of a race that was retried.`,
      );
    }
  }
  if (retryPost) {
    out.push(
      retryPost.proxy502 > 0
        ? `- retry, POST: ${retryPost.proxy502} 502s. A non-idempotent request is not replayed, so a retry cannot hide the race for POST; only the timeouts can.`
        : `- retry, POST: ${retryPost.proxy502} 502s${retryPost.retried ? ` (${retryPost.retried} retried)` : ''}. ${
            result.proxy.name === 'haproxy'
              ? 'HAProxy replayed the POST as well (measured here): harmless in this lab because the backend never read the request, but with empty-response a POST that a backend processed and then dropped without answering could run twice.'
              : 'The variant avoids reusing the pooled connection at all.'
          }`,
    );
  }
  const notes = new Set<string>();
  for (const s of result.scenarios)
    for (const n of s.notes.slice(s.name === 'mismatch' ? 0 : 1)) notes.add(n);
  for (const s of result.scenarios)
    if (!s.asExpected)
      notes.add(
        `${s.name}: did not come out as expected (${s.expected === 'proxy-502' ? 'expected 502s' : 'expected no 502'}).`,
      );
  if (notes.size > 0) {
    out.push('');
    out.push(p.bold('Notes'));
    for (const n of notes) out.push(`- ${n}`);
  }
  out.push('');
  out.push(p.bold('The rule'));
  out.push(
    '- On every hop, server keep-alive >= client pool idle + margin: the side that pools connections must always be the one ' +
      'that closes an idle connection first. Retrying idempotent requests on connection failure covers what remains ' +
      '(closes on max-requests, deploys); it cannot cover POST.',
  );
  if (result.mode === 'deterministic') {
    out.push(
      `- This mode widens the window on purpose: the lab's backend stops reading at its idle deadline and closes ` +
        `${result.backend.closeLagMs} ms later, a model of a busy event loop whose idle timer fires late. A real backend's ` +
        'window is a few ms wide (about 4 ms on a 2-vCPU VM), which is why a fixed "wait 2 s" loop rarely shows anything. ' +
        'Run with --natural to sweep the real window without widening it.',
    );
  } else {
    out.push(
      '- Natural mode: no widening; the 502 rate per gap shows how narrow the real window is. Node 20 closes idle ' +
        'connections 1 s after its keepAliveTimeout, so always time against a measured close, never the configured value.',
    );
  }
  return out;
}

export function renderNaturalGaps(result: LabResult): string {
  const lines: string[] = [];
  for (const s of result.scenarios) {
    if (!s.gaps || s.gaps.length === 0) continue;
    lines.push(`${s.name}: 502 rate per gap (ms from the measured keep-alive)`);
    for (const g of s.gaps) {
      lines.push(
        `  ${g.offsetFromMeasuredCloseMs >= 0 ? '+' : ''}${g.offsetFromMeasuredCloseMs.toFixed(1)} ms  ${g.proxy502}/${g.attempts}`,
      );
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The `--json` document (writeJson adds schemaVersion). */
export function labDocument(result: LabResult): object {
  return { command: 'lab', ...result };
}
