import { formatDuration, formatSignedDuration } from './duration/duration.js';
import { describeValue } from './facts.js';
import type { Finding } from './findings.js';
import type { Hop } from './hops.js';
import { findProduct } from './kb/products.js';

const d = formatDuration;

function n(finding: Finding, key: string): number {
  return finding.numbers[key] ?? Number.NaN;
}

/** One sentence per finding, rendered from its data. */
export function findingMessage(finding: Finding, hop: Hop): string {
  const server = hop.server.label;
  const client = hop.client.label;
  switch (finding.id) {
    case 'keepalive-below-pool-idle':
      return `${server} keep-alive ${d(n(finding, 'serverKeepAliveMs'))} < ${client} idle ${d(n(finding, 'clientIdleMs'))} + margin ${d(n(finding, 'marginMs'))} = ${d(n(finding, 'requiredMs'))} (short by ${d(n(finding, 'shortByMs'))}): ${server} can close a pooled connection just as ${client} reuses it, and ${client} answers 502`;
    case 'margin-too-thin':
      return `${server} keep-alive ${d(n(finding, 'serverKeepAliveMs'))} is only ${formatSignedDuration(n(finding, 'headroomMs'))} above ${client} idle ${d(n(finding, 'clientIdleMs'))}: under ${d(n(finding, 'minimumHeadroomMs'))} of headroom, timer granularity and jitter still let the race through`;
    case 'unbounded-pool-bounded-server':
      return `${client} never expires idle pooled connections, but ${server} closes them after ${d(n(finding, 'serverKeepAliveMs'))}: every quiet period longer than that ends in a race`;
    case 'value-from-default': {
      const fact = finding.facts[0]!;
      const who = finding.details?.side === 'server' ? `${server} keep-alive` : `${client} idle timeout`;
      const setting = fact.setting ? ` for ${fact.setting}` : '';
      return `${who} ${describeValue(fact.value)} is the default${setting}, not a configured value: defaults change between versions and differ between the two sides, so set it explicitly`;
    }
    case 'suspected-unit-mistake': {
      const fact = finding.facts[0]!;
      if (finding.details?.writtenUnit === 'milliseconds') {
        return `${fact.setting ?? 'value'} ${describeValue(fact.value)} is read in milliseconds (${n(finding, 'valueMs')} ms); if seconds were meant, write ${n(finding, 'ifSecondsMs')}`;
      }
      return `${fact.setting ?? 'value'} ${describeValue(fact.value)} is read in seconds (${d(n(finding, 'valueMs'))}); if milliseconds were meant, that is ${d(n(finding, 'ifMillisecondsMs'))}`;
    }
    case 'headers-timeout-not-above-keepalive':
      return `headersTimeout ${d(n(finding, 'headersTimeoutMs'))} is not above keepAliveTimeout ${d(n(finding, 'serverKeepAliveMs'))}: set headersTimeout to at least ${n(finding, 'suggestedHeadersTimeoutMs')} ms`;
    case 'other-connection-limits': {
      const fact = finding.facts[0]!;
      const who = finding.details?.side === 'server' ? server : client;
      switch (finding.details?.subject) {
        case 'max-requests-per-connection':
          return `${who} also closes a connection after ${n(finding, 'count')} requests (${fact.setting}): the idle rule does not cover that close; retry idempotent requests on connection failure`;
        case 'connection-lifetime':
          return `${who} also closes a connection after ${d(n(finding, 'valueMs'))} of lifetime (${fact.setting}), busy or not: the idle rule does not cover that close`;
        default:
          return `${who} really closes ${d(n(finding, 'valueMs'))} after its advertised keep-alive: ${(fact.notes ?? [])[0] ?? ''}`;
      }
    }
    case 'keepalive-disabled':
      return finding.details?.side === 'server'
        ? `${server} does not keep connections alive (it closes after every response): no pooled connection can go stale, so this race cannot happen on this hop`
        : `${client} does not reuse connections: this race cannot happen on this hop`;
    case 'value-unknown': {
      const side = finding.details?.side === 'server' ? `${server} keep-alive` : `${client} idle timeout`;
      const reason = finding.details?.reason;
      return reason === 'unverified'
        ? `${side} comes from an UNVERIFIED default; it is not used for a verdict: read the real value (configuration, live API or probe)`
        : finding.facts[0]?.notes?.[0]
          ? `${side} is unknown: ${finding.facts[0].notes[0]}`
          : `${side} is unknown: give its value or a source`;
    }
    case 'out-of-scope':
      return `${finding.details?.product}: out of scope: ${finding.details?.reason}`;
    case 'config-unreadable': {
      const who = finding.details?.side === 'server' ? server : client;
      const line = finding.numbers.line;
      const where = line === undefined ? finding.details?.file : `${finding.details?.file}:${line}`;
      const field = finding.details?.field ? ` (${finding.details.field})` : '';
      const effect =
        finding.details?.diagnosticSeverity === 'error'
          ? 'the hop cannot be judged from this file until it is fixed'
          : 'the rest of the file was read';
      return `${who}: ${where}${field}: ${finding.details?.message}: ${effect}`;
    }
  }
}

/** The rule as one line with its numbers, for the human table. */
export function ruleLine(hop: Hop, serverMs: number | null, clientMs: number | null): string {
  if (serverMs === null || clientMs === null)
    return 'server keep-alive >= client idle + margin: cannot evaluate';
  const required = clientMs + hop.marginMs;
  const ok = serverMs >= required;
  return `server keep-alive >= client idle + margin: ${d(serverMs)} >= ${d(clientMs)} + ${d(hop.marginMs)} = ${d(required)}  ${ok ? 'holds' : `fails (short by ${d(required - serverMs)})`}`;
}

export function productName(id: string | undefined): string | undefined {
  return id ? findProduct(id)?.name : undefined;
}
