/** Human view of a probe report (rendered from the data; `--json` prints the data itself). */
import type { Palette } from '../render/color.js';
import type { IdleCloseSample, ReuseResult } from './engine.js';
import type { ProbeReport } from './summary.js';

export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return `${ms.toFixed(1)} ms`;
}

const CLOSE_TEXT: Record<IdleCloseSample['closeKind'], string> = {
  fin: 'FIN (orderly close)',
  rst: 'RST (reset)',
  timeout: 'no close within --max-wait',
  'closed-before-response': 'closed before the response was complete',
  'no-keepalive': 'closed after the response (no keep-alive)',
};

const REUSE_TEXT: Record<ReuseResult['outcome'], string> = {
  served: 'served on the reused connection',
  'closed-before-reuse': 'the server had already closed (a careful client opens a new connection)',
  reset: 'REFUSED WITH A RESET: the race (a proxy answers 502 here)',
  lost: 'SILENTLY LOST: the server closed without answering (a proxy answers 502 here)',
  'not-reusable': 'not tested: the first response did not leave a keep-alive connection',
};

function sampleLine(sample: IdleCloseSample, index: number): string {
  const status = sample.status === null ? '-' : String(sample.status);
  let how = CLOSE_TEXT[sample.closeKind];
  if (sample.closeKind === 'no-keepalive' && sample.transportClose)
    how += `, ${sample.transportClose.toUpperCase()}`;
  if (sample.closeKind === 'closed-before-response' && sample.transportClose) {
    how += ` (${sample.transportClose.toUpperCase()} ${formatMs(sample.closedAfterRequestMs)} after the request)`;
  }
  if (sample.unsolicitedBytes > 0) how += ` (after sending ${sample.unsolicitedBytes} unsolicited bytes)`;
  return `  ${String(index + 1).padEnd(6)} ${status.padEnd(6)} ${formatMs(sample.idleCloseMs).padStart(12)}   ${how}`;
}

export function renderProbeReport(report: ProbeReport, colors: Palette): string {
  const lines: string[] = [];
  lines.push(colors.bold(`probe ${report.url} (${report.method}, ${report.through})`));
  lines.push(`measures: ${report.measuredSide}`);
  if (report.through === 'lb') {
    lines.push(
      colors.dim(
        '  Through a load balancer the idle close is the balancer closing the client connection. The backend behind it may close its pooled connections much earlier: probe the backend directly to measure that.',
      ),
    );
  }
  if (report.protocol === 'h2-only') {
    lines.push(
      colors.yellow(
        'protocol: HTTP/2 only. Out of scope: this race is about HTTP/1.1 connection reuse; HTTP/2 closes with GOAWAY, which clients handle. Nothing was measured.',
      ),
    );
  } else if (report.protocol) lines.push(`protocol: ${report.protocol}`);
  if (report.error && report.error.code !== 'http2-only') {
    lines.push(colors.red(`error: ${report.error.message}`));
  }
  if (report.samples.length > 0) {
    lines.push('');
    lines.push(`  ${'sample'.padEnd(6)} ${'status'.padEnd(6)} ${'idle close'.padStart(12)}   how it closed`);
    for (const [index, sample] of report.samples.entries()) lines.push(sampleLine(sample, index));
    lines.push('');
  }
  if (report.summary) {
    const s = report.summary;
    lines.push(
      `idle close: min ${formatMs(s.minMs)}, median ${colors.bold(formatMs(s.medianMs))}, max ${formatMs(s.maxMs)} (${s.count} sample${s.count === 1 ? '' : 's'}; from the last response byte to the server's close)`,
    );
  }
  const timeouts = report.samples.filter((sample) => sample.closeKind === 'timeout').length;
  if (timeouts > 0) {
    lines.push(
      `${timeouts} sample${timeouts === 1 ? '' : 's'}: the server kept the idle connection open past --max-wait.`,
    );
  }
  const advertisedParts: string[] = [];
  if (report.advertised.keepAliveHeader !== null)
    advertisedParts.push(`Keep-Alive: ${report.advertised.keepAliveHeader}`);
  if (report.advertised.connectionHeader !== null)
    advertisedParts.push(`Connection: ${report.advertised.connectionHeader}`);
  if (report.samples.some((sample) => sample.status !== null)) {
    lines.push(
      `advertised: ${advertisedParts.length > 0 ? advertisedParts.join('  ') : 'no Keep-Alive or Connection header'}`,
    );
  }
  const difference = report.advertisedDifferenceMs;
  switch (report.advertisedAgreement) {
    case 'agrees':
      lines.push(
        colors.green(
          `  the real close agrees with the advertised timeout=${report.advertised.timeoutSeconds} (within 100 ms)`,
        ),
      );
      break;
    case 'closes-earlier':
      lines.push(
        colors.red(
          `  the server closes ${formatMs(-(difference ?? 0))} EARLIER than its advertised timeout=${report.advertised.timeoutSeconds}: clients that trust the hint reuse connections the server is closing`,
        ),
      );
      break;
    case 'closes-later':
      lines.push(
        colors.yellow(
          `  the server closes ${formatMs(difference)} later than its advertised timeout=${report.advertised.timeoutSeconds} (harmless for clients that honour the hint; Node adds a hidden 1 s buffer, for example)`,
        ),
      );
      break;
    default:
      break;
  }
  if (report.keepAlive === false) {
    lines.push(
      colors.yellow(
        'keep-alive: NO. The server closes the connection after every response, so it cannot race (every request uses a fresh connection), at the cost of a new connection per request.',
      ),
    );
  } else if (report.keepAlive === true) lines.push('keep-alive: yes');
  if (report.maxRequestsPerConnection) {
    const m = report.maxRequestsPerConnection;
    const ended =
      m.endedBy === 'limit-reached'
        ? `still open after the limit of ${m.limit} requests`
        : m.endedBy === 'connection-close-header'
          ? 'then it said Connection: close'
          : `then it closed the connection (${m.endedBy.toUpperCase()})`;
    lines.push(`requests per connection: ${m.requestsServed} served, ${ended}`);
  }
  if (report.reuse) {
    const r = report.reuse;
    lines.push(
      `reuse after ${formatMs(r.gapMs)}: ${REUSE_TEXT[r.outcome]}${r.actualGapMs !== null ? ` (actual gap ${formatMs(r.actualGapMs)})` : ''}`,
    );
  }
  if (report.reuseSweep) {
    const sweep = report.reuseSweep;
    lines.push(`reuse sweep ${formatMs(sweep.fromMs)} .. ${formatMs(sweep.toMs)}:`);
    for (const step of sweep.steps)
      lines.push(`  gap ${formatMs(step.gapMs).padStart(12)}: ${REUSE_TEXT[step.outcome]}`);
    if (sweep.lastServedGapMs !== null && sweep.firstRefusedGapMs !== null) {
      lines.push(
        colors.bold(
          `  the server's idle close lies between ${formatMs(sweep.lastServedGapMs)} and ${formatMs(sweep.firstRefusedGapMs)}`,
        ),
      );
    } else if (sweep.lastServedGapMs !== null)
      lines.push('  served across the whole range: the close is later');
    else if (sweep.firstRefusedGapMs !== null)
      lines.push('  refused across the whole range: the close is earlier');
  }
  if (report.interrupted)
    lines.push(colors.yellow('interrupted: these are the samples gathered before Ctrl-C.'));
  return `${lines.join('\n')}\n`;
}
